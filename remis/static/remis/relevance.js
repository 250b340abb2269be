// Hides the questions of a response form that do not apply given the answers so far
// (<form data-relevance>, each question in <div data-relevant="condition as JSON">, the
// condition built by remis/monitoring/response_forms.py condition_data). Progressive only:
// without this script every question shows with its "(only if …)" note, and the server
// leaves out the answers to questions that do not apply either way. Follows
// remis/monitoring/instruments/relevance.py: unanswered reads as "", a multiple choice as
// its names joined by spaces, comparisons as numbers (ISO dates as days) or as text.
"use strict";

(() => {
  const NUMBER = /^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/;
  const ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

  // As the server reads a typed number (remis/lib/digits.py, response_forms.py): Arabic-Indic
  // digits (٣ on an Arabic keyboard), the Arabic decimal separator (٫) and a decimal comma
  // ("1,5") read as 0-9 and the point. "٣ children" hid the question that depends on it,
  // which the server then asked for.
  const latin = (text) =>
    String(text)
      .trim()
      .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
      .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
      .replace(/\u066b/g, ".")
      .replace(/^(-?[0-9]+),([0-9]+)$/, "$1.$2");

  const asNumber = (text) => {
    const t = latin(text);
    if (NUMBER.test(t)) return parseFloat(t);
    if (ISO_DATE.test(t)) {
      const day = Date.parse(`${t}T00:00:00Z`);
      return Number.isNaN(day) ? NaN : day / 86400000;
    }
    return NaN;
  };

  const answerOf = (form, name) => {
    const values = [];
    for (const input of form.querySelectorAll(`[name="q_${name}"]`)) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) values.push(input.value);
      } else {
        values.push(input.value.trim());
      }
    }
    return values.join(" ");
  };

  const operand = (form, node) => ("ref" in node ? answerOf(form, node.ref) : node.value);

  const holds = (form, node) => {
    switch (node.op) {
      case "and": return holds(form, node.args[0]) && holds(form, node.args[1]);
      case "or": return holds(form, node.args[0]) || holds(form, node.args[1]);
      case "not": return !holds(form, node.args[0]);
      case "selected": return answerOf(form, node.name).split(/\s+/).includes(node.choice);
      default: {
        const left = operand(form, node.left);
        const right = operand(form, node.right);
        if (!node.numeric) return node.op === "=" ? left === right : left !== right;
        const a = asNumber(left);
        const b = asNumber(right);
        switch (node.op) {
          case "=": return a === b;
          case "!=": return a !== b;
          case "<": return a < b;
          case "<=": return a <= b;
          case ">": return a > b;
          case ">=": return a >= b;
          default: return true;
        }
      }
    }
  };

  const update = (form) => {
    for (const question of form.querySelectorAll("[data-relevant]")) {
      let applies = true;
      try {
        applies = holds(form, JSON.parse(question.dataset.relevant));
      } catch (error) {
        applies = true; // shown when in doubt: the server decides
      }
      question.hidden = !applies;
    }
  };

  document.addEventListener("DOMContentLoaded", () => {
    for (const form of document.querySelectorAll("form[data-relevance]")) {
      update(form);
      form.addEventListener("change", () => update(form));
      form.addEventListener("input", () => update(form));
    }
  });
})();
