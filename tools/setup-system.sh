#!/usr/bin/env bash
# System packages the full test suite uses: Graphviz's `dot` (graph rendering), Chromium (the
# real-browser test), bubblewrap and Debian's python3.11 (the grading sandbox: `autograd-kit sandbox-setup`
# then builds the sandbox's interpreter from it), GCC's OpenMP runtime libgomp (MKL's GNU threading layer,
# with which the `exact` extra's MKL rounds as PyTorch's). Installed with apt-get when running as root; otherwise
# says what is missing.
set -euo pipefail
need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
[ -x /usr/bin/python3.11 ] || need+=(python3.11 python3.11-venv)
libs=$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true)
[[ $libs == *libgomp.so.1* ]] || need+=(libgomp1)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}"
else
  echo "note: missing system packages: ${need[*]} (install them with your package manager;" >&2
  echo "      the browser, system-Graphviz and grading-sandbox tests need them)" >&2
fi
