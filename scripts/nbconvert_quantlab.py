"""nbconvert preprocessor for quantlab notebooks: an HTML export gets plotly.js inlined once.

Chart outputs carry no plotly.js (a saved notebook stays small); in the live notebook each chart loads it from
the server (nbextensions/quantlab/plotly.min.js). An exported HTML page has no server, so this preprocessor puts
the bundle once in front of the first chart output, and every chart on the page draws offline.
Enabled by the config files that scripts/notebook-assets.sh writes into .jupyter/config/ (JUPYTER_CONFIG_DIR in
scripts/env.sh): `jupyter nbconvert --to html` in the project environment and the notebook's "Download as HTML".
"""
import os

from nbconvert.preprocessors import Preprocessor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLOTLY = os.path.join(ROOT, "node_modules", "plotly.js-dist-min", "plotly.min.js")
MARK = 'class="ql-plot"'


def plotly_script():
    """The bundle as an inline script that defines window.Plotly even where require.js is on the page."""
    with open(PLOTLY, encoding="utf-8") as f:
        src = f.read()
    return '<script type="text/javascript">(function(){var d=window.define;window.define=undefined;\n' + src + "\n;window.define=d;})();</script>\n"


class InlinePlotly(Preprocessor):
    """Prepends plotly.js to the first output that holds a quantlab chart (nothing when there is none)."""

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                data = out.get("data") or {}
                html = data.get("text/html")
                if html is None:
                    continue
                text = "".join(html) if isinstance(html, list) else html
                if MARK in text:
                    data["text/html"] = plotly_script() + text
                    return nb, resources
        return nb, resources
