// REMIS's own script, loaded from 'self' (the Content-Security-Policy allows no inline script
// and no inline event handler): behaviour that markup asks for through data- attributes.
"use strict";

// Scripts run: the page may fold what they unfold (the menu on a phone, remis.css).
document.documentElement.classList.add("js");
document.addEventListener("click", (event) => {
  const toggle = event.target instanceof Element ? event.target.closest(".menu-toggle") : null;
  const menu = toggle ? document.getElementById(toggle.getAttribute("aria-controls") || "") : null;
  if (!toggle || !menu) {
    return;
  }
  const open = menu.classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});

// A filter form with data-fold-filters="More filters": on a phone, when none of its filters
// but the search box is in use (nor refused), they fold behind a button of that label
// (remis.css), which shows them. A filter in use is never hidden.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-fold-filters]");
  if (!(form instanceof HTMLFormElement) || !window.matchMedia("(max-width: 48rem)").matches) {
    return;
  }
  const fields = [...form.querySelectorAll(".filters > .field")].filter(
    (field) => !field.querySelector('input[name="q"], button[type="submit"]'),
  );
  const inUse = (control) => {
    if (control instanceof HTMLSelectElement) {
      return control.selectedIndex > 0;
    }
    if (control instanceof HTMLInputElement) {
      return control.type === "checkbox" || control.type === "radio" ? control.checked : control.value !== "";
    }
    return false;
  };
  const used = fields.some(
    (field) =>
      [...field.querySelectorAll("input, select")].some(inUse) || field.querySelector('[aria-invalid="true"]'),
  );
  if (used || !fields.length) {
    return;
  }
  form.classList.add("folded");
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "filters-toggle";
  toggle.textContent = form.dataset.foldFilters || "";
  toggle.setAttribute("aria-expanded", "false");
  const holder = document.createElement("div");
  holder.className = "field";
  holder.append(toggle);
  fields[0].before(holder);
  toggle.addEventListener("click", () => {
    form.classList.remove("folded");
    holder.remove();
    const first = fields[0].querySelector("input, select");
    if (first instanceof HTMLElement) {
      first.focus();
    }
  });
});

// A form with data-confirm="question" is sent only once the user confirms the question; a
// button's own data-confirm asks instead (accept and reject in one form ask differently). A
// form's data-confirm-when="name:value" asks only while its field `name` has that value (a
// consent form asks before a withdrawal, not before every consent given).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) {
    return;
  }
  const when = form.dataset.confirmWhen;
  if (when && !(event.submitter && event.submitter.dataset.confirm)) {
    const [name, value] = when.split(":");
    if (new FormData(form).get(name) !== value) {
      return;
    }
  }
  let question = (event.submitter && event.submitter.dataset.confirm) || form.dataset.confirm;
  // data-confirm-by="name": the question said for the value chosen in field `name`, from
  // the form's element with data-confirm-value="that value" (each consent's withdrawal
  // stops something else: a follow-up withdrawal read as if it cut partners off).
  const by = form.dataset.confirmBy;
  if (by && !(event.submitter && event.submitter.dataset.confirm)) {
    const chosen = String(new FormData(form).get(by) || "");
    const own = [...form.querySelectorAll("[data-confirm-value]")].find((el) => el.dataset.confirmValue === chosen);
    if (own && own.dataset.confirm) {
      question = own.dataset.confirm;
    }
  }
  if (question && !window.confirm(question)) {
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
    return;
  }
  // A refusal of the whole form (no field at fault): its message, far below on the case
  // page, was out of sight while the page showed its top.
  const refusal = document.querySelector("main .form-errors");
  if (refusal instanceof HTMLElement) {
    refusal.tabIndex = -1;
    refusal.focus();
  }
});

// A field with data-shown-with="name:value1,value2" is shown only while the form's field
// `name` has one of those values (a report's year, quarter or dates follow the kind of period
// chosen). A field showing an error always stays in view; without scripts, all are shown.
document.addEventListener("DOMContentLoaded", () => {
  const dependents = document.querySelectorAll("[data-shown-with]");
  const update = (form) => {
    for (const element of form.querySelectorAll("[data-shown-with]")) {
      const [name, values] = element.dataset.shownWith.split(":");
      const control = form.elements.namedItem(name);
      const wrapper = element.closest(".field");
      if (!(control instanceof HTMLSelectElement) || !wrapper) {
        continue;
      }
      wrapper.hidden = !values.split(",").includes(control.value) && !wrapper.classList.contains("has-error");
    }
  };
  const forms = new Set([...dependents].map((element) => element.form).filter(Boolean));
  for (const form of forms) {
    update(form);
    form.addEventListener("change", () => update(form));
  }
});

// A list's pager drawn again by htmx (the case list, Next or Previous): the button pressed is
// gone with the old page, which left the keyboard's focus on the document and the window at
// the end of the new page. The new page's count line (or the whole result) takes the focus,
// brought into view, so that the next Tab starts from the results.
document.addEventListener("htmx:afterSwap", (event) => {
  const detail = event.detail || {};
  const pressed = detail.requestConfig && detail.requestConfig.elt;
  const target = detail.target;
  if (!(pressed instanceof HTMLElement) || !(target instanceof HTMLElement) || !pressed.closest(".pager")) {
    return;
  }
  const start = target.querySelector("p.muted, .form-errors, p.empty") || target;
  if (start instanceof HTMLElement) {
    start.tabIndex = -1;
    start.focus({ preventScroll: true });
    start.scrollIntoView({ block: "start" });
  }
});

// A form sent twice by a double tap, or a second tap while a slow network answers the first:
// the first saved, the second met the version the first had moved and the page said
// "Someone else saved this record", or "Nothing was changed". A form sent a moment ago is
// not sent again for a few seconds (not for ever: a download leaves the page in place, and
// its form may be sent again). htmx's own forms are left to htmx; a form a confirmation
// stopped was never sent (this listener runs after the confirmation's).
const RESEND_AFTER_MS = 4000;
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || event.defaultPrevented) {
    return;
  }
  if (form.matches("[data-hx-post], [data-hx-get], [hx-post], [hx-get]")) {
    return;
  }
  const sent = Number(form.dataset.sentAt || 0);
  if (sent && Date.now() - sent < RESEND_AFTER_MS) {
    event.preventDefault();
    return;
  }
  form.dataset.sentAt = String(Date.now());
});
// Back to a page kept by the browser: its forms may be sent again at once.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-sent-at]").forEach((form) => {
    delete form.dataset.sentAt;
  });
});

// A form saved on a long page (the case page's steps) comes back at its section
// (`#reception`): the message saying it was saved, drawn at the top of the page, was
// 1,400px above the screen. It is shown at the top of that section instead, where the eye is.
document.addEventListener("DOMContentLoaded", () => {
  const said = document.querySelector("main > .messages");
  let id = "";
  try {
    id = decodeURIComponent(window.location.hash.slice(1));
  } catch {
    return; // "#%E0" typed or pasted: no section of ours is named so
  }
  const section = id ? document.getElementById(id) : null;
  if (!(said instanceof HTMLElement) || !(section instanceof HTMLElement) || !section.closest("main")) {
    return;
  }
  const summary = section.matches("details") ? section.querySelector(":scope > summary") : null;
  if (section.matches("details:not([open])")) {
    section.before(said); // inside a closed section it would be hidden
  } else if (summary) {
    summary.after(said);
  } else {
    section.prepend(said);
  }
  said.scrollIntoView({ block: "start" });
});

// The home page's work lists (data-work-lists) arrive one by one after the page, each
// placeholder (data-work-pending) replaced by its card or by nothing. Once none is pending,
// the loading line goes, or says that nothing is waiting when no card came; a list that
// failed to load says so there rather than leave "Loading" on screen for ever.
const settleWorkLists = (holder) => {
  const status = holder.querySelector('[role="status"]');
  if (!(status instanceof HTMLElement) || holder.querySelector("[data-work-pending]")) {
    return;
  }
  const failed = holder.querySelector("[data-work-failed]");
  if (failed instanceof HTMLElement && holder.dataset.workFailed) {
    failed.hidden = false; // says so, with a link to My work
    status.hidden = true;
  } else if (holder.querySelector(".card")) {
    status.hidden = true;
  } else {
    status.textContent = holder.dataset.empty || "";
    status.classList.add("empty");
  }
};
// (After the request, not after settling: a list with nothing to show is swapped for nothing,
// and htmx then settles no element.)
document.addEventListener("htmx:afterRequest", () => {
  for (const holder of document.querySelectorAll("[data-work-lists]")) {
    settleWorkLists(holder);
  }
});
for (const failure of ["htmx:responseError", "htmx:sendError"]) {
  document.addEventListener(failure, (event) => {
    const placeholder = event.target instanceof Element ? event.target.closest("[data-work-pending]") : null;
    const holder = placeholder ? placeholder.closest("[data-work-lists]") : null;
    if (!placeholder || !(holder instanceof HTMLElement)) {
      return;
    }
    placeholder.remove();
    holder.dataset.workFailed = "true";
    settleWorkLists(holder);
  });
}

// Leaving the page (a link followed, a form sent the ordinary way, Sign out): an answer htmx
// still awaited (a home page card) must not then take the browser elsewhere. After Sign out,
// a card answered "sign in again" and its redirect overrode the page the user was going to.
// A navigation that turns out to be a download leaves the page in place: it listens again
// after a few seconds.
let leavingPage = false;
window.addEventListener("beforeunload", () => {
  leavingPage = true;
  window.setTimeout(() => {
    leavingPage = false;
  }, 3000);
});
document.addEventListener("htmx:beforeOnLoad", (event) => {
  if (leavingPage) {
    event.preventDefault();
  }
});
