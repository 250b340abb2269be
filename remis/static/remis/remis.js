// REMIS's own script, loaded from 'self' (the Content-Security-Policy allows no inline script
// and no inline event handler): behaviour that markup asks for through data- attributes.
"use strict";

// A form with data-confirm="question" is sent only once the user confirms the question.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
