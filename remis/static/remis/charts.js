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
    window
      .vegaEmbed(element, spec, {
        renderer: "svg",
        actions: false,
        tooltip: false,
        defaultStyle: false,
        ast: true,
        expr: window.vega.expressionInterpreter,
      })
      .catch((error) => console.error("chart", error));
  }
});
