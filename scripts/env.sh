# Sourced by the start/test scripts: point Jupyter at the project's own kernel and config folders.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JUPYTER_PATH="$ROOT/.jupyter/share/jupyter"
export JUPYTER_CONFIG_DIR="$ROOT/.jupyter/config"
export JUPYTER_DATA_DIR="$ROOT/.jupyter/data"
export JUPYTER_RUNTIME_DIR="$ROOT/.jupyter/runtime"
export PYDEVD_DISABLE_FILE_VALIDATION=1
export PATH="$ROOT/node_modules/.bin:$PATH"
