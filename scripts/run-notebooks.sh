#!/usr/bin/env bash
# Executes every notebook in notebooks/ headlessly with the quantlab kernel. The notebooks in git stay
# without outputs; executed copies (with outputs) go to build/notebooks/, and an HTML export of each beside it.
# Prints one line per notebook and the counts in build/notebooks/summary.txt. Exit 1 when any notebook fails.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
source scripts/env.sh
out=build/notebooks
mkdir -p "$out"
# what the notebooks write (studies resumed by default in a notebook, promoted folders, reports) goes to a fresh
# folder under build/, so every run starts from nothing and the project's own experiments/ is left alone
rm -rf "$out/experiments"
export QUANTLAB_EXPERIMENTS="$PWD/$out/experiments"
passed=0 failed=0
for nb in notebooks/*.ipynb; do
  [ -e "$nb" ] || continue
  name=$(basename "$nb" .ipynb)
  t0=$(date +%s)
  if /usr/bin/python3 scripts/run-notebook.py "$nb" "$out" 900 >"$out/$name.log" 2>&1; then
    /usr/bin/jupyter nbconvert --to html --output-dir "$out" "$out/$name.ipynb" >>"$out/$name.log" 2>&1
    /usr/bin/python3 -m nbformat.sign "$out/$name.ipynb" >/dev/null 2>&1 || true
    echo "notebook ok    $nb ($(( $(date +%s) - t0 )) s)"
    passed=$((passed + 1))
  else
    echo "notebook FAIL  $nb ($(( $(date +%s) - t0 )) s); last lines of $out/$name.log:"
    tail -n 40 "$out/$name.log" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
done
echo "$passed $failed" > "$out/summary.txt"
[ "$failed" -eq 0 ]
