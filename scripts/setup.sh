#!/usr/bin/env bash
# Idempotent set-up for quantlab: installs only what is missing and says what it installs.
#   1. Debian's Jupyter (classic notebook + nbconvert), when absent (needs root; prints the command otherwise)
#   2. npm packages, when node_modules is missing or older than package.json / package-lock.json
#   3. node_modules/quantlab, a link to the project, so `import ... from 'quantlab'` works in notebooks
#   4. the "quantlab (TypeScript)" kernel, registered inside the project (.jupyter/), never globally
# Usage: bash scripts/setup.sh [--test]   (--test also installs what the tests use: Debian's chromium for the
#        browser tests and PostgreSQL for the shared-storage tests; the tests start their own servers)
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
ROOT=$PWD
say() { printf '[setup] %s\n' "$*"; }

APT_JUPYTER=(jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel)
need_apt=()
if ! /usr/bin/python3 -c 'import notebook, nbconvert, nbclient, ipykernel, jupyter_client' >/dev/null 2>&1 || [ ! -x /usr/bin/jupyter ]; then
  need_apt+=("${APT_JUPYTER[@]}")
fi
if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian packages: ${need_apt[*]} (about a minute)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    say "missing Debian packages: ${need_apt[*]}"
    say "run once as root:  sudo apt-get update && sudo apt-get install -y ${need_apt[*]}"
    say "then run this command again."
    exit 1
  fi
else
  say "Jupyter: present ($(/usr/bin/jupyter notebook --version 2>/dev/null | tail -n1))"
fi

stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || { [ -f package-lock.json ] && [ package-lock.json -nt "$stamp" ]; }; then
  say "installing npm packages (npm install; about 2 minutes on a fresh machine: talib and zeromq build natively)"
  npm install --no-audit --no-fund --loglevel=error
  touch "$stamp"
else
  say "npm packages: up to date"
fi

if [ "$(readlink node_modules/quantlab 2>/dev/null)" != ".." ]; then
  say "linking node_modules/quantlab -> the project (notebooks and scripts import 'quantlab')"
  rm -rf node_modules/quantlab
  ln -s .. node_modules/quantlab
fi

kdir="$ROOT/.jupyter/share/jupyter/kernels/quantlab"
spec="{\"argv\": [\"$ROOT/scripts/tslab-kernel\", \"kernel\", \"--config-path\", \"{connection_file}\"], \"display_name\": \"quantlab (TypeScript)\", \"language\": \"typescript\"}"
if [ ! -f "$kdir/kernel.json" ] || [ "$(cat "$kdir/kernel.json")" != "$spec" ]; then
  say "registering the kernel 'quantlab (TypeScript)' in $ROOT/.jupyter (project-local)"
  mkdir -p "$kdir"
  printf '%s' "$spec" > "$kdir/kernel.json"
else
  say "kernel 'quantlab (TypeScript)': registered"
fi

# plotly.js served to chart outputs, the widgets request answered, HTML exports inlining plotly once
bash scripts/notebook-assets.sh
