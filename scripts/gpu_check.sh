#!/usr/bin/env bash
# One prepared check of the CUDA path on a GPU machine that has CUDA (nvcc), Python and
# PyTorch but no Deno and no network. Run from anywhere: bash scripts/gpu_check.sh
#
# Before the run, the session copies into the repository's ignored .carry/ folder:
#   .carry/deno.xz          xz -T0 -6 -c "$(command -v deno)" > .carry/deno.xz  (x86-64 Linux)
#   .carry/torch_awing.py   cp ../shared/peers/torch_awing.py .carry/   (../shared does not travel)
# and names .carry in the device call's carry list.
#
# Steps: unpack Deno to /tmp/deno; build the library (deno task build:cuda, forced); run the
# GPU tests and the host tests; benchmark the fused kernel on 8x68x64x64, 8x98x64x64 and
# 64x98x64x64 (pixels/s, fraction of the H200's ~4.8 TB/s at 12 bytes per pixel) next to the
# PyTorch peer on the same GPU and data. Logs go to $OUT when set (else build/gpu_check/).
# AWL_BENCH_SHAPES ("NxKxHxW ...") and AWL_BENCH_REPS (default 50) override the benchmark.
# Exit status: non-zero when the build or a test fails (the benchmark is reported either way).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2
LOGS="${OUT:-$ROOT/build/gpu_check}"
mkdir -p "$LOGS"
# shapes and repetitions of the benchmark can be overridden (e.g. for a dry run on a mock)
read -r -a SHAPES <<<"${AWL_BENCH_SHAPES:-8x68x64x64 8x98x64x64 64x98x64x64}"
REPS="${AWL_BENCH_REPS:-50}"
export DENO_DIR=/tmp/deno-cache DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
status=0

say() { printf '\n== %s\n' "$*" | tee -a "$LOGS/summary.txt"; }

say "machine"
{ nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm,clocks.max.mem \
    --format=csv 2>&1 || echo "nvidia-smi failed"; nvcc --version 2>&1 | tail -2; } |
  tee -a "$LOGS/summary.txt"

say "deno"
DENO="$(command -v deno || true)"
if [ -z "$DENO" ]; then
  DENO=/tmp/deno
  if [ ! -x "$DENO" ]; then
    if [ ! -f .carry/deno.xz ]; then
      echo "no deno on PATH and no .carry/deno.xz: see the header of this script" |
        tee -a "$LOGS/summary.txt"
      exit 2
    fi
    if command -v xz >/dev/null; then
      xz -dc .carry/deno.xz >"$DENO"
    else
      python3 -c 'import lzma, shutil, sys
shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' .carry/deno.xz "$DENO"
    fi
    chmod +x "$DENO"
  fi
fi
"$DENO" --version | head -1 | tee -a "$LOGS/summary.txt"

say "build (deno task build:cuda)"
if "$DENO" run --allow-read --allow-write --allow-run --allow-env scripts/build_cuda.ts --force \
  >"$LOGS/build.log" 2>&1; then
  tail -1 "$LOGS/build.log" | tee -a "$LOGS/summary.txt"
else
  tail -30 "$LOGS/build.log" | tee -a "$LOGS/summary.txt"
  echo "BUILD FAILED" | tee -a "$LOGS/summary.txt"
  exit 1
fi

say "tests (tests/gpu_test.ts tests/cuda_host_test.ts)"
if AWL_CUDA_SYNC=1 "$DENO" test --allow-read --allow-ffi --allow-env \
  tests/gpu_test.ts tests/cuda_host_test.ts >"$LOGS/test.log" 2>&1; then
  grep -E '^(ok|FAILED) \|' "$LOGS/test.log" | tee -a "$LOGS/summary.txt"
else
  status=1
  grep -E '\.\.\. (FAILED|ok|ignored)|^(ok|FAILED) \|' "$LOGS/test.log" | tee -a "$LOGS/summary.txt"
  grep -A12 -E '^ERRORS' "$LOGS/test.log" | head -60 | tee -a "$LOGS/summary.txt"
fi
if grep -q 'ignored' "$LOGS/test.log" && grep -q 'skipped: no CUDA device' "$LOGS/test.log"; then
  echo "WARNING: GPU tests were skipped: no CUDA device seen" | tee -a "$LOGS/summary.txt"
  status=1
fi

say "benchmark: awing-cuda (scripts/gpu_bench.ts)"
"$DENO" run --allow-read --allow-ffi --allow-env scripts/gpu_bench.ts --reps "$REPS" \
  "${SHAPES[@]}" >"$LOGS/bench.jsonl" 2>"$LOGS/bench.err" ||
  echo "gpu_bench failed" >>"$LOGS/bench.err"
cat "$LOGS/bench.jsonl" "$LOGS/bench.err" | tee -a "$LOGS/summary.txt"

say "benchmark: PyTorch peer on the GPU (.carry/torch_awing.py N K H 1 cuda)"
if [ -f .carry/torch_awing.py ]; then
  for s in "${SHAPES[@]}"; do
    IFS=x read -r n k h _ <<<"$s"
    PYTHONUNBUFFERED=1 python3 .carry/torch_awing.py "$n" "$k" "$h" 1 cuda 2>&1 |
      tail -1 | tee -a "$LOGS/torch.jsonl"
  done
  cat "$LOGS/torch.jsonl" >>"$LOGS/summary.txt"
else
  echo "no .carry/torch_awing.py: peer skipped" | tee -a "$LOGS/summary.txt"
fi

say "done (status $status)"
exit "$status"
