#!/usr/bin/env bash
# One prepared check of the CUDA path on a GPU machine that has CUDA (nvcc), Python and
# PyTorch but no Deno and no network. Run from anywhere: bash scripts/gpu_check.sh
#
# Before the run, the session copies into the repository's ignored .carry/ folder:
#   .carry/deno.xz          xz -T0 -6 -c "$(command -v deno)" > .carry/deno.xz  (x86-64 Linux)
#   .carry/torch_awing.py   cp ../shared/peers/torch_awing.py .carry/   (../shared does not travel)
# and names .carry in the device call's carry list.
#
# Steps: unpack Deno to build/deno; build the library (deno task build:cuda, forced); check that
# listing the devices creates no CUDA context (the GPU's used memory, before, while listing and
# while using a device); run the GPU tests and the host tests with AWL_CUDA_SYNC=1 and again
# without it (an execution error then surfaces at a later call); run the large tests (a batch
# of more than 2^31 pixels, 4096 x 4096 maps: AWL_GPU_LARGE=1); make a kernel fault, once in
# each mode, each in a process of its own (AWL_GPU_FAULT=1: where the error surfaces, and what
# closeCuda() does after it); benchmark the fused kernel and argmax on 8x68x64x64, 8x98x64x64,
# 64x98x64x64 and 1x1x4096x4096 (pixels/s, fraction of the H200's ~4.8 TB/s at 12 bytes per
# pixel) next to the PyTorch peer on the same GPU and data. Logs go to $OUT when set (else
# build/gpu_check/).
# AWL_BENCH_SHAPES ("NxKxHxW ...") and AWL_BENCH_REPS (default 50) override the benchmark.
# Everything it writes stays in the repository's build/ folder and in $OUT: Deno, its cache,
# temporary files and the CUDA and Python caches are pointed there.
# Exit status: non-zero when the build or a test fails (the benchmark is reported either way).
set -uo pipefail

usage() {
  cat <<'USAGE'
Usage: bash scripts/gpu_check.sh   (deno task check:gpu)

On a GPU machine: builds the CUDA library (forced), checks that listing devices creates no
context, runs the GPU and CUDA host tests with AWL_CUDA_SYNC=1 and without it, the large tests
(more than 2^31 pixels; 4096 x 4096 maps: about 30 GB of GPU memory), a kernel fault in each
mode, and benchmarks the fused kernel and argmax beside the PyTorch peer
(.carry/torch_awing.py). Needs nvcc and a GPU; Deno from PATH or .carry/deno.xz. Logs go to
$OUT when set, else build/gpu_check/. Writes nothing outside the repository and $OUT.

Environment:
  OUT                 folder for the logs (default: build/gpu_check/)
  AWL_BENCH_SHAPES    benchmark shapes "NxKxHxW ..." (default: 8x68x64x64 8x98x64x64
                      64x98x64x64 1x1x4096x4096)
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
read -r -a SHAPES <<<"${AWL_BENCH_SHAPES:-8x68x64x64 8x98x64x64 64x98x64x64 1x1x4096x4096}"
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

say "listing devices creates no context (GPU memory used, MiB)"
used() { nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits 2>/dev/null | head -1; }
rm -f "$WORK/listed" "$WORK/used" "$WORK/done"
"$DENO" eval --ext=ts "
import { closeCuda, cudaDevices, selectBackend } from './src/gpu/mod.ts';
const wait = async (f: string) => { while (true) { try { await Deno.stat(f); return; } catch { await new Promise((r) => setTimeout(r, 100)); } } };
console.log(JSON.stringify(cudaDevices()));
await Deno.writeTextFile('$WORK/listed', '');
await wait('$WORK/done');
{ using b = selectBackend(); console.log(b.reason); await Deno.writeTextFile('$WORK/used', ''); await wait('$WORK/done2'); }
closeCuda();
" >"$LOGS/context.log" 2>&1 &
probe_pid=$!
before="$(used)"
# waits (at most a minute) for the probe to reach a step, or to end
await_step() {
  for _ in $(seq 600); do
    if [ -f "$1" ] || ! kill -0 "$probe_pid" 2>/dev/null; then return; fi
    sleep 0.1
  done
}
await_step "$WORK/listed"
listing="$(used)"
touch "$WORK/done"
await_step "$WORK/used"
using="$(used)"
touch "$WORK/done2"
wait "$probe_pid"
rm -f "$WORK/listed" "$WORK/used" "$WORK/done" "$WORK/done2"
echo "before: ${before:-?}  while listing: ${listing:-?}  while using a device: ${using:-?}" |
  tee -a "$LOGS/summary.txt"
tee -a "$LOGS/summary.txt" <"$LOGS/context.log"
if [[ $before =~ ^[0-9]+$ && $listing =~ ^[0-9]+$ ]] && [ $((listing - before)) -gt 100 ]; then
  echo "FAILED: listing the devices took $((listing - before)) MiB (a context)" |
    tee -a "$LOGS/summary.txt"
  status=1
fi

# runs a test command into a log; its summary (and failures) go to the summary
run_tests() {
  local log="$1"
  shift
  if "$@" >"$LOGS/$log" 2>&1; then
    grep -E '^(ok|FAILED) \|' "$LOGS/$log" | tee -a "$LOGS/summary.txt"
  else
    status=1
    grep -E '\.\.\. (FAILED|ok|ignored)|^(ok|FAILED) \|' "$LOGS/$log" | tee -a "$LOGS/summary.txt"
    grep -A12 -E '^ERRORS' "$LOGS/$log" | head -60 | tee -a "$LOGS/summary.txt"
  fi
  grep -E '^(after the fault|\{)' "$LOGS/$log" | tee -a "$LOGS/summary.txt"
}
TESTS=(tests/gpu_test.ts tests/cuda_host_test.ts tests/cuda_probe_test.ts tests/abi_test.ts)

say "tests with AWL_CUDA_SYNC=1 (${TESTS[*]})"
run_tests test.log env AWL_CUDA_SYNC=1 "$DENO" test --allow-read --allow-ffi --allow-env \
  --allow-run "${TESTS[@]}"
if grep -q 'ignored' "$LOGS/test.log" && grep -q 'skipped: no CUDA device' "$LOGS/test.log"; then
  echo "WARNING: GPU tests were skipped: no CUDA device seen" | tee -a "$LOGS/summary.txt"
  status=1
fi

say "tests without AWL_CUDA_SYNC (errors of kernels surface at a later call)"
run_tests test_async.log env -u AWL_CUDA_SYNC "$DENO" test --allow-read --allow-ffi \
  --allow-env --allow-run "${TESTS[@]}"

say "large tests: more than 2^31 pixels, 4096 x 4096 maps (AWL_GPU_LARGE=1)"
run_tests test_large.log env -u AWL_CUDA_SYNC AWL_GPU_LARGE=1 "$DENO" test --allow-read \
  --allow-ffi --allow-env tests/gpu_large_test.ts

for mode in 1 0; do
  say "a kernel fault, AWL_CUDA_SYNC=$mode (AWL_GPU_FAULT=1, a process of its own)"
  run_tests "test_fault_sync$mode.log" env AWL_CUDA_SYNC="$mode" AWL_GPU_FAULT=1 "$DENO" test \
    --allow-read --allow-ffi --allow-env tests/gpu_fault_test.ts
done

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
