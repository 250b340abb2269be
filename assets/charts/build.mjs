// Copies the chart scripts REMIS serves into remis/static/vendor/ (run by bin/lib.sh
// ensure_chart_scripts after `npm ci`). vega-interpreter ships only as an ES module importing
// the bare name 'vega-util', which a browser cannot resolve without an inline import map (the
// CSP forbids inline scripts); the vega bundle already exports everything it imports, so it
// is wrapped to read them from window.vega and to add window.vega.expressionInterpreter.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// The source maps are not copied: Django's manifest storage would fail on a missing map.
function withoutSourceMap(text) {
  return text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
}

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "..", "remis", "static", "vendor");
mkdirSync(out, { recursive: true });
for (const [pkg, file] of [
  ["vega", "vega.min.js"],
  ["vega-lite", "vega-lite.min.js"],
  ["vega-embed", "vega-embed.min.js"],
]) {
  writeFileSync(join(out, file), withoutSourceMap(readFileSync(join(here, "node_modules", pkg, "build", file), "utf8")));
}
const source = readFileSync(join(here, "node_modules", "vega-interpreter", "build", "vega-interpreter.js"), "utf8");
const importLine = "import { ascending, isString, DisallowedObjectProperties } from 'vega-util';";
const exportLine = "export { expression as expressionInterpreter };";
if (!source.includes(importLine) || !source.includes(exportLine)) {
  throw new Error("vega-interpreter changed shape: update assets/charts/build.mjs");
}
const wrapped = source
  .replace(importLine, "(function () {\nconst { ascending, isString, DisallowedObjectProperties } = window.vega;")
  .replace(exportLine, "window.vega.expressionInterpreter = expression;\n})();");
writeFileSync(join(out, "vega-interpreter.js"), withoutSourceMap(wrapped));
console.log(`chart scripts copied to ${out}`);
