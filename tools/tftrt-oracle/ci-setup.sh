#!/usr/bin/env bash
# CI entry point (.ci/run calls it with no arguments): build or reuse the TF-TRT oracle in
# <repo>/.tftrt-oracle (or $TRTLINT_ORACLE_DIR), with pip's cache in <repo>/.ci-cache/pip unless
# PIP_CACHE_DIR says otherwise, so the ~600 MB TensorFlow wheel is downloaded once per cache.
# Idempotent: a warm run only re-verifies that TF-TRT loads the stubs (a few seconds).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target=${TRTLINT_ORACLE_DIR:-$repo/.tftrt-oracle}
export PIP_CACHE_DIR=${PIP_CACHE_DIR:-$repo/.ci-cache/pip}
start=$(date +%s)
bash "$repo/tools/tftrt-oracle/setup.sh" "$target"
echo "tftrt-oracle: ready at $target in $(( $(date +%s) - start )) s (pip cache: $PIP_CACHE_DIR)"
