# Shared by bin/demo, bin/test and .ci/run: idempotent set-up steps. Source, don't run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: '$*' needs root; run it as root or install sudo" >&2; return 1; fi
}

# Installs Debian packages that are missing (one apt-get update per run at most).
ensure_debs() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

# What WeasyPrint (the information sheets' PDFs) needs from Debian: Pango, and fonts that
# cover Latin and Arabic.
PDF_DEBS=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)

# Creates .venv with Python 3.11+ and installs the project (with extras "$1", if given).
# Reinstalls only when pyproject.toml changed since the last install.
ensure_venv() {
  local extras="${1:-}" spec="." stamp
  [ -n "$extras" ] && spec=".[$extras]"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating virtual environment in .venv"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
  fi
  stamp="$VENV/.installed-${extras:-base}"
  if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    echo "==> installing Python packages ($spec)"
    "$VENV/bin/pip" install -q -e "$ROOT/$spec"
    touch "$stamp"
  fi
}

# The chart scripts REMIS serves itself (vega, vega-lite, vega-embed, vega-interpreter: no
# CDN), at the versions assets/charts/package-lock.json pins, from the npm registry; copied
# into remis/static/vendor/ (not in git) by assets/charts/build.mjs.
ensure_chart_scripts() {
  local charts="$ROOT/assets/charts" out="$ROOT/remis/static/vendor"
  if [ ! -f "$out/vega-interpreter.js" ] || [ "$charts/package-lock.json" -nt "$out/vega-interpreter.js" ] \
    || [ "$charts/build.mjs" -nt "$out/vega-interpreter.js" ]; then
    command -v npm >/dev/null || ensure_debs npm
    echo "==> installing the chart scripts (npm ci)"
    npm ci --prefix "$charts" --no-audit --no-fund --loglevel=error
    node "$charts/build.mjs"
  fi
}
