#!/usr/bin/env bash
# Build the TF-TRT CPU oracle environment into DIR:
#   DIR/venv/     a virtualenv with tensorflow==2.17.0 (its Linux wheel contains TF-TRT)
#   DIR/stubs/    libnvinfer.so.8 / libnvinfer_plugin.so.8 compiled from ./stubs/*.c
#   DIR/READY     written last, after TF-TRT was seen to load the stubs (a JSON summary)
#
# Usage: bash tools/tftrt-oracle/setup.sh DIR
#
# Idempotent: a step whose result is already there is skipped (venv exists, tensorflow 2.17.0 is
# installed, the stubs were compiled from the same sources). Re-running after a failure resumes.
# Environment:
#   PIP_CACHE_DIR          pip's cache (the ~600 MB tensorflow wheel is cached there; CI keeps it)
#   TFTRT_ORACLE_PYTHON    interpreter for the venv (default: python3; TF 2.17 needs 3.9-3.12)
#   CC                     C compiler (default: gcc)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "tftrt-oracle setup: error: $*" >&2; exit 1; }
say() { echo "tftrt-oracle setup: $*" >&2; }

[ $# -eq 1 ] || die "usage: setup.sh DIR  (where to build the oracle environment)"
mkdir -p "$1" || die "cannot create $1"
dir=$(cd "$1" && pwd)
python=${TFTRT_ORACLE_PYTHON:-python3}
cc=${CC:-gcc}
tf_version=2.17.0

command -v "$python" >/dev/null || die "'$python' not found (set TFTRT_ORACLE_PYTHON)"
command -v "$cc" >/dev/null || die "C compiler '$cc' not found (install gcc or set CC)"
"$python" - <<'PY' || die "TensorFlow 2.17 has wheels for Python 3.9-3.12 only; set TFTRT_ORACLE_PYTHON"
import sys
raise SystemExit(0 if (3, 9) <= sys.version_info[:2] <= (3, 12) else 1)
PY
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "TF-TRT ships only in TensorFlow's Linux x86_64 wheel"

# READY stays in place while nothing changes (tests may be using this environment); the first
# step that has work to do removes it, and only a passing verification writes it again.
invalidate() { rm -f "$dir/READY"; }

# 1. virtualenv
venv_python="$dir/venv/bin/python"
if [ -x "$venv_python" ] && "$venv_python" -c 'import sys' 2>/dev/null; then
  say "venv: present ($dir/venv)"
else
  say "venv: creating $dir/venv with $("$python" --version 2>&1)"
  invalidate
  rm -rf "$dir/venv"
  "$python" -m venv "$dir/venv" || die "python -m venv failed (Debian/Ubuntu: apt-get install python3-venv)"
fi

# 2. tensorflow==2.17.0 with the dependency versions this oracle was validated with
installed=$("$venv_python" -c 'import importlib.metadata as m; print(m.version("tensorflow"))' 2>/dev/null || true)
if [ "$installed" = "$tf_version" ]; then
  say "tensorflow: $tf_version already installed"
else
  say "tensorflow: installing $tf_version${PIP_CACHE_DIR:+ (pip cache: $PIP_CACHE_DIR)}"
  invalidate
  pip_args=(install --disable-pip-version-check --progress-bar off -c "$here/constraints.txt")
  [ -n "${PIP_CACHE_DIR:-}" ] && pip_args+=(--cache-dir "$PIP_CACHE_DIR")
  "$venv_python" -m pip "${pip_args[@]}" "tensorflow==$tf_version" >"$dir/pip-install.log" 2>&1 \
    || { tail -n 20 "$dir/pip-install.log" >&2; die "pip install tensorflow==$tf_version failed (log: $dir/pip-install.log)"; }
fi

# 3. stub TensorRT libraries (rebuilt when their sources change)
stubs="$dir/stubs"
mkdir -p "$stubs"
src_hash=$(cat "$here/stubs/nvinfer_stub.c" "$here/stubs/nvinfer_plugin_stub.c" | sha256sum | cut -d' ' -f1)
if [ -f "$stubs/SOURCES.sha256" ] && [ "$(cat "$stubs/SOURCES.sha256")" = "$src_hash" ] \
   && [ -f "$stubs/libnvinfer.so.8.6.1" ] && [ -f "$stubs/libnvinfer_plugin.so.8.6.1" ]; then
  say "stubs: up to date ($stubs)"
else
  say "stubs: compiling with $cc"
  invalidate
  cflags=(-shared -fPIC -O1 -Wall -Wextra -Werror)
  "$cc" "${cflags[@]}" -Wl,-soname,libnvinfer.so.8 \
      -o "$stubs/libnvinfer.so.8.6.1" "$here/stubs/nvinfer_stub.c" || die "compiling nvinfer_stub.c failed"
  # The real plugin library depends on libnvinfer; keep that dependency so the loader sees the same shape.
  "$cc" "${cflags[@]}" -Wl,-soname,libnvinfer_plugin.so.8 \
      -o "$stubs/libnvinfer_plugin.so.8.6.1" "$here/stubs/nvinfer_plugin_stub.c" \
      -L"$stubs" -l:libnvinfer.so.8.6.1 || die "compiling nvinfer_plugin_stub.c failed"
  ln -sf libnvinfer.so.8.6.1 "$stubs/libnvinfer.so.8"
  ln -sf libnvinfer_plugin.so.8.6.1 "$stubs/libnvinfer_plugin.so.8"
  echo "$src_hash" >"$stubs/SOURCES.sha256"
fi

# 4. verify: TF-TRT must find "TensorRT 8.6.1" through the stubs
say "verify: loading TF-TRT with the stub libraries"
LD_LIBRARY_PATH="$stubs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES= \
  "$venv_python" - "$dir" "$src_hash" >"$dir/READY.tmp" 2>"$dir/verify.log" <<'PY' \
  || { tail -n 20 "$dir/verify.log" >&2; rm -f "$dir/READY.tmp"; invalidate; die "TF-TRT did not load the stub TensorRT (log: $dir/verify.log)"; }
import json, platform, sys
import tensorflow as tf
from tensorflow.python.compiler.tensorrt import trt_convert as trt
utils = trt._pywrap_py_utils
enabled = bool(utils.is_tensorrt_enabled())
loaded = tuple(utils.get_loaded_tensorrt_version())
if not enabled or loaded != (8, 6, 1):
    sys.exit(f"TF-TRT enabled={enabled}, loaded TensorRT version={loaded}; expected True and (8, 6, 1)")
json.dump({"dir": sys.argv[1], "tensorflow": tf.__version__, "python": platform.python_version(),
           "linked_tensorrt": list(utils.get_linked_tensorrt_version()), "loaded_tensorrt": list(loaded),
           "stub_sources_sha256": sys.argv[2]}, sys.stdout)
print()
PY
mv "$dir/READY.tmp" "$dir/READY"
say "ready: $(cat "$dir/READY")"
