#!/usr/bin/env bash
# npm start: set up what is missing, then serve notebooks/ with the classic Jupyter notebook on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
bash scripts/setup.sh
source scripts/env.sh
PORT="${QUANTLAB_PORT:-8888}"
echo "[start] Jupyter on http://127.0.0.1:$PORT/ (notebooks/; pick the kernel 'quantlab (TypeScript)'; Ctrl-C stops it)"
ROOTFLAG=(); [ "$(id -u)" = 0 ] && ROOTFLAG=(--allow-root)
exec /usr/bin/jupyter notebook "${ROOTFLAG[@]}" --no-browser --ip=127.0.0.1 --port="$PORT" --notebook-dir="$ROOT/notebooks" "$@"
