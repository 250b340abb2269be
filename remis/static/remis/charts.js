// Draws the charts whose Vega-Lite spec a page gives in a JSON data block
// (<div data-chart="id-of-the-block">), with vega-embed served by REMIS. The CSP allows no
// eval and no inline style: expressions run through vega's interpreter (ast + expr), and no
// action menu, tooltip or default style is added (each would inject a <style> element).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  if (!window.vegaEmbed || !window.vega || !window.vega.expressionInterpreter) return;
  for (const element of document.querySelectorAll("[data-chart]")) {
    const block = document.getElementById(element.dataset.chart);
    if (!block) continue;
    const spec = JSON.parse(block.textContent);
    // vega-embed makes the container a "graphics-document" labelled "Vega visualization",
    // in English, over the page's own role and label: those are put back once it has drawn.
    const role = element.getAttribute("role");
    const label = element.getAttribute("aria-label");
    window
      .vegaEmbed(element, spec, {
        renderer: "svg",
        actions: false,
        tooltip: false,
        defaultStyle: false,
        ast: true,
        expr: window.vega.expressionInterpreter,
      })
      .then(() => {
        // The drawing is read out by its container (role="img", a label in the page's
        // language) and the table beside it: Vega's own descriptions of axes and legends
        // are in English ("X-axis titled …"), so they are hidden.
        if (role) element.setAttribute("role", role);
        if (label) element.setAttribute("aria-label", label);
        element.removeAttribute("aria-roledescription");
        for (const drawing of element.querySelectorAll("svg")) drawing.setAttribute("aria-hidden", "true");
      })
      .catch((error) => console.error("chart", error));
  }
});
