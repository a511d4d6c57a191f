#!/usr/bin/env bash
# One prepared check of the CUDA path on a GPU machine that has CUDA (nvcc), Python and
# PyTorch but no Deno and no network. Run from anywhere: bash scripts/gpu_check.sh
#
# Before the run, the session copies into the repository's ignored .carry/ folder:
#   .carry/deno.xz          xz -T0 -6 -c "$(command -v deno)" > .carry/deno.xz  (x86-64 Linux)
#   .carry/torch_awing.py   cp ../shared/peers/torch_awing.py .carry/   (../shared does not travel)
# and names .carry in the device call's carry list.
#
# Steps: unpack Deno to build/deno; build the library (deno task build:cuda, forced); run the
# GPU tests and the host tests; benchmark the fused kernel on 8x68x64x64, 8x98x64x64 and
# 64x98x64x64 (pixels/s, fraction of the H200's ~4.8 TB/s at 12 bytes per pixel) next to the
# PyTorch peer on the same GPU and data. Logs go to $OUT when set (else build/gpu_check/).
# AWL_BENCH_SHAPES ("NxKxHxW ...") and AWL_BENCH_REPS (default 50) override the benchmark.
# Everything it writes stays in the repository's build/ folder and in $OUT: Deno, its cache,
# temporary files and the CUDA and Python caches are pointed there.
# Exit status: non-zero when the build or a test fails (the benchmark is reported either way).
set -uo pipefail

usage() {
  cat <<'USAGE'
Usage: bash scripts/gpu_check.sh   (deno task check:gpu)

On a GPU machine: builds the CUDA library (forced), runs the GPU and CUDA host tests, and
benchmarks the fused kernel beside the PyTorch peer (.carry/torch_awing.py). Needs nvcc and a
GPU; Deno from PATH or .carry/deno.xz. Logs go to $OUT when set, else build/gpu_check/. Writes
nothing outside the repository and $OUT.

Environment:
  OUT                 folder for the logs (default: build/gpu_check/)
  AWL_BENCH_SHAPES    benchmark shapes "NxKxHxW ..." (default: 8x68x64x64 8x98x64x64 64x98x64x64)
  AWL_BENCH_REPS      timed calls per shape (default: 50)

Options:
  -h, --help          print this help
USAGE
}
for arg in "$@"; do
  case "$arg" in
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "gpu_check: unknown argument '$arg' (see --help)" >&2
      exit 2
      ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
LOGS="${OUT:-$ROOT/build/gpu_check}"
if ! mkdir -p "$LOGS" 2>/dev/null || [ ! -w "$LOGS" ]; then
  echo "gpu_check: cannot write the logs to '$LOGS'" >&2
  exit 1
fi
# caches and temporary files stay inside the repository
WORK="$ROOT/build/gpu_check_work"
mkdir -p "$WORK/tmp" "$WORK/cache" "$WORK/cuda-cache"
export TMPDIR="$WORK/tmp" XDG_CACHE_HOME="$WORK/cache" CUDA_CACHE_PATH="$WORK/cuda-cache"
export PYTHONDONTWRITEBYTECODE=1 TORCH_HOME="$WORK/cache/torch"
# shapes and repetitions of the benchmark can be overridden (e.g. for a dry run on a mock)
read -r -a SHAPES <<<"${AWL_BENCH_SHAPES:-8x68x64x64 8x98x64x64 64x98x64x64}"
REPS="${AWL_BENCH_REPS:-50}"
export DENO_DIR="$WORK/deno-cache" DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
status=0

say() { printf '\n== %s\n' "$*" | tee -a "$LOGS/summary.txt"; }

say "machine"
{ nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm,clocks.max.mem \
    --format=csv 2>&1 || echo "nvidia-smi failed"; nvcc --version 2>&1 | tail -2; } |
  tee -a "$LOGS/summary.txt"

say "deno"
DENO="$(command -v deno || true)"
if [ -z "$DENO" ]; then
  DENO="$WORK/deno"
  if [ ! -x "$DENO" ]; then
    if [ ! -f .carry/deno.xz ]; then
      echo "gpu_check: no deno on PATH and no .carry/deno.xz: see --help" |
        tee -a "$LOGS/summary.txt" >&2
      exit 1
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
