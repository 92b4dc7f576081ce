#!/usr/bin/env bash
# Files the classic notebook page loads from the project's Jupyter data folder (.jupyter/share/jupyter/nbextensions,
# served at /nbextensions/ because scripts/env.sh puts that folder on JUPYTER_PATH). Idempotent; run by scripts/start.sh.
#   quantlab/plotly.min.js           what every chart output loads once per page when the page has no Plotly yet
#   widgets/notebook/js/extension.js an empty extension: the notebook's front end asks for ipywidgets' extension
#                                    on every page (a hard-coded request in notebook 6's main.js); without it the
#                                    browser console shows a 404 on each page load. quantlab uses no widgets.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
ext=.jupyter/share/jupyter/nbextensions
src=node_modules/plotly.js-dist-min/plotly.min.js
mkdir -p "$ext/quantlab" "$ext/widgets/notebook/js"
if ! cmp -s "$src" "$ext/quantlab/plotly.min.js"; then
  cp "$src" "$ext/quantlab/plotly.min.js.tmp" && mv "$ext/quantlab/plotly.min.js.tmp" "$ext/quantlab/plotly.min.js"
  echo "[start] plotly.js for charts: $ext/quantlab/plotly.min.js"
fi
stub='define([], function () { return { load_ipython_extension: function () {} }; });'
[ "$(cat "$ext/widgets/notebook/js/extension.js" 2>/dev/null)" = "$stub" ] || printf '%s\n' "$stub" > "$ext/widgets/notebook/js/extension.js"
