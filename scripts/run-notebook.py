"""Executes one notebook with its kernel (nbclient) and writes the executed copy to OUT_DIR/NAME.ipynb.
On a failing cell it still writes the partial notebook, prints the cell's source, its stderr (where tslab
reports TypeScript errors) and the error, and exits 1.
Usage: /usr/bin/python3 scripts/run-notebook.py NOTEBOOK OUT_DIR [TIMEOUT_SECONDS]"""
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

src, out_dir = sys.argv[1], sys.argv[2]
timeout = int(sys.argv[3]) if len(sys.argv) > 3 else 900
nb = nbformat.read(src, as_version=4)
client = NotebookClient(nb, timeout=timeout, resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}})
failed = None
try:
    client.execute()
except CellExecutionError as e:
    failed = e
finally:
    os.makedirs(out_dir, exist_ok=True)
    nbformat.write(nb, os.path.join(out_dir, os.path.basename(src)))

if failed is None:
    sys.exit(0)
for i, cell in enumerate(nb.cells):
    if cell.cell_type != "code" or "execution_count" not in cell:
        continue
    outs = cell.get("outputs", [])
    bad = [o for o in outs if o.get("output_type") == "error" or (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    last_run = all(not c.get("outputs") for c in nb.cells[i + 1:] if c.cell_type == "code")
    if not bad and not last_run:
        continue
    print(f"cell {i + 1} failed:")
    print("    " + cell.source.replace("\n", "\n    "))
    for o in outs:
        if o.get("output_type") == "stream" and o.get("name") == "stderr":
            print("  stderr: " + o["text"].strip().replace("\n", "\n          "))
        if o.get("output_type") == "error":
            print(f"  {o.get('ename', '')}: {o.get('evalue', '')}")
    break
print(str(failed).strip().splitlines()[-1] if str(failed).strip() else "cell execution failed")
sys.exit(1)
