#!/usr/bin/env bash
# What the notebook page and its HTML exports need besides the kernel, in the project's Jupyter folders
# (.jupyter/, git-ignored; scripts/env.sh points JUPYTER_PATH and JUPYTER_CONFIG_DIR there). Idempotent; run by
# scripts/setup.sh.
#   share/jupyter/nbextensions/quantlab/plotly.min.js  a link to node_modules' plotly.js: every chart output loads
#        it once per page from the server when the page has no Plotly (reloads, cleared outputs, new charts)
#   share/jupyter/nbextensions/widgets/notebook/js/extension.js  an empty extension: the classic notebook asks for
#        ipywidgets' extension on every page load; without it the browser console shows a 404. quantlab uses no widgets.
#   config/jupyter_nbconvert_config.py, config/jupyter_notebook_config.py  enable scripts/nbconvert_quantlab.py,
#        which inlines plotly.js once in an HTML export (jupyter nbconvert --to html, and "Download as HTML")
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
ROOT=$PWD
ext=.jupyter/share/jupyter/nbextensions
mkdir -p "$ext/quantlab" "$ext/widgets/notebook/js" .jupyter/config
want="$ROOT/node_modules/plotly.js-dist-min/plotly.min.js"
[ "$(readlink "$ext/quantlab/plotly.min.js" 2>/dev/null)" = "$want" ] || ln -sfn "$want" "$ext/quantlab/plotly.min.js"
stub='define([], function () { return { load_ipython_extension: function () {} }; });'
[ "$(cat "$ext/widgets/notebook/js/extension.js" 2>/dev/null)" = "$stub" ] || printf '%s\n' "$stub" > "$ext/widgets/notebook/js/extension.js"
conf="# written by scripts/notebook-assets.sh: HTML exports inline plotly.js once (scripts/nbconvert_quantlab.py)
import sys
sys.path.insert(0, '$ROOT/scripts')
from nbconvert_quantlab import InlinePlotly
c.HTMLExporter.preprocessors = [InlinePlotly]"
for f in jupyter_nbconvert_config.py jupyter_notebook_config.py; do
  [ "$(cat ".jupyter/config/$f" 2>/dev/null)" = "$conf" ] || printf '%s\n' "$conf" > ".jupyter/config/$f"
done
