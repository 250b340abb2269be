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

// A page sent back with a form's errors: the first field in error gets the focus, which
// brings it into view (on the case page the form may be far below the fold, and the page
// otherwise looked as if the form had been saved).
document.addEventListener("DOMContentLoaded", () => {
  const field = document.querySelector("main .has-error :is(input, select, textarea):not([type=hidden])");
  if (field instanceof HTMLElement) {
    field.focus();
  }
});
