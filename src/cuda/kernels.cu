/*************************************************************************
 * awing: the CUDA kernels and their launchers (awl_awing, awl_gaussian, awl_argmax).
 *
 * Layout of all three: a channel is one h x w map of an [n, k, h, w] batch; the fused loss and
 * the Gaussian work on 32 x 32 tiles (one block of 32 x 8 threads per tile, 4 rows per thread,
 * consecutive threads on consecutive columns: coalesced rows of 128 bytes); the grid is one
 * flat dimension of channels * tiles, so that n * k is not bounded by gridDim.y/z. Argmax splits
 * each channel into contiguous parts of at least 16384 pixels, one 256-thread block each (a
 * 4096 x 4096 map is 1024 blocks), and folds the parts in a second kernel. Every kernel guards
 * its bounds (no divisibility assumption) and every launch is checked.
 ************************************************************************/
#include <limits.h>

#include "_internal.h"
#include "awing_math.h"

namespace {

constexpr int kTileW = 32;
constexpr int kTileH = 32;
constexpr int kBlockX = 32;
constexpr int kBlockY = 8;
constexpr int kThreads = kBlockX * kBlockY;
constexpr int kRowsPerThread = kTileH / kBlockY;
constexpr int kFinishThreads = 1024;
constexpr int kArgmaxThreads = 256;
static_assert(kTileW == kBlockX, "one thread per tile column");
static_assert(kTileH == kBlockX, "the Gaussian's row factors are computed by one warp");

int ceil_div(int a, int b) { return a / b + (a % b != 0); } // a >= 0: cannot overflow

/** Partial result of the fused loss over some pixels. */
struct Partial {
  double sum;
  float tmin;
  float tmax;
  unsigned flags;
};

__device__ __forceinline__ Partial combine(const Partial& a, const Partial& b) {
  return Partial{a.sum + b.sum, fminf(a.tmin, b.tmin), fmaxf(a.tmax, b.tmax), a.flags | b.flags};
}

/** Fixed-order warp reduction: lane 0 gets the result; the pairing never changes, so the
 *  rounding of the double sum is the same on every run. */
__device__ __forceinline__ Partial warp_reduce(Partial p) {
#pragma unroll
  for (int off = 16; off > 0; off >>= 1) {
    Partial o;
    o.sum = __shfl_down_sync(0xffffffffu, p.sum, off);
    o.tmin = __shfl_down_sync(0xffffffffu, p.tmin, off);
    o.tmax = __shfl_down_sync(0xffffffffu, p.tmax, off);
    o.flags = __shfl_down_sync(0xffffffffu, p.flags, off);
    p = combine(p, o);
  }
  return p;
}

/** Fixed-order block reduction; the result is valid in thread 0 only. */
template <int kWarps>
__device__ __forceinline__ Partial block_reduce(Partial p, int tid) {
  __shared__ Partial warps[kWarps];
  p = warp_reduce(p);
  if ((tid & 31) == 0) warps[tid >> 5] = p;
  __syncthreads();
  if (tid == 0) {
    for (int i = 1; i < kWarps; ++i) p = combine(p, warps[i]);
  }
  __syncthreads(); // warps[] may be reused by a later call in the same kernel
  return p;
}

/** Where the workspace of awl_awing keeps what. */
struct Workspace {
  uint64_t blocks;
  uint64_t sums;   // offset of blocks doubles
  uint64_t ranges; // offset of blocks float2
  uint64_t flags;  // offset of blocks unsigned
  uint64_t bytes;
};

Workspace workspace_layout(int32_t n, int32_t k, int32_t h, int32_t w) {
  Workspace l;
  l.blocks =
      (uint64_t)n * (uint64_t)k * (uint64_t)ceil_div(h, kTileH) * (uint64_t)ceil_div(w, kTileW);
  l.sums = 32; // after the awl_awing_stats header (24 bytes)
  l.ranges = l.sums + 8 * l.blocks;
  l.flags = l.ranges + 8 * l.blocks;
  l.bytes = (l.flags + 4 * l.blocks + 255) / 256 * 256;
  return l;
}

/**
 * The fused loss over one 32 x 32 tile of one channel. With kMap the tile's target and a
 * one-pixel halo are staged in shared memory (out-of-map cells are -inf, so they never win
 * the dilation's max) and the 3x3 dilation reads them from there.
 */
template <bool kMap>
__global__ void __launch_bounds__(kThreads)
    awing_kernel(const float* __restrict__ pred, const float* __restrict__ target,
                 const float* __restrict__ chan_w, float* __restrict__ grad,
                 float* __restrict__ loss_map, double* __restrict__ part_sum,
                 float2* __restrict__ part_range, unsigned* __restrict__ part_flags, int h, int w,
                 int tiles_x, int tiles_per_chan, awl::AwingParams P) {
  __shared__ float tile[kMap ? kTileH + 2 : 1][kTileW + 2];
  const int tid = threadIdx.y * kBlockX + threadIdx.x;
  const int b = blockIdx.x;
  const int chan = b / tiles_per_chan;
  const int t = b - chan * tiles_per_chan;
  const int i0 = (t / tiles_x) * kTileH;
  const int j0 = (t % tiles_x) * kTileW;
  const size_t base = (size_t)chan * (size_t)h * (size_t)w;
  const float* tg = target + base;
  const float* pr = pred + base;

  if constexpr (kMap) {
    for (int idx = tid; idx < (kTileH + 2) * (kTileW + 2); idx += kThreads) {
      const int r = idx / (kTileW + 2);
      const int c = idx - r * (kTileW + 2);
      const long long gi = (long long)i0 + r - 1; // i0 + 32 can exceed INT_MAX
      const long long gj = (long long)j0 + c - 1;
      tile[r][c] = (gi >= 0 && gi < h && gj >= 0 && gj < w)
                       ? tg[(size_t)gi * (size_t)w + (size_t)gj]
                       : -INFINITY;
    }
    __syncthreads();
  }

  const float cw = chan_w != nullptr ? chan_w[chan] : 1.0f;
  const int c = threadIdx.x;
  const int j = j0 + c;
  Partial acc{0.0, INFINITY, -INFINITY, 0u};
#pragma unroll
  for (int rr = 0; rr < kRowsPerThread; ++rr) {
    const int r = threadIdx.y + rr * kBlockY;
    const int i = i0 + r;
    if (i < h && j < w) {
      const size_t o = (size_t)i * (size_t)w + (size_t)j;
      const float p = pr[o];
      float y, wt;
      if constexpr (kMap) {
        y = tile[r + 1][c + 1];
        // the host's dilation, on the staged tile: its -inf halo stands for "outside the map"
        const float m = awl::dilate3x3(&tile[0][0], kTileH + 2, kTileW + 2, r + 1, c + 1);
        wt = awl::pixel_weight(m, P.map_weight, P.map_threshold, cw);
      } else {
        y = tg[o];
        wt = cw;
      }
      float g;
      const float l = awl::awing_pixel(p, y, P, &g);
      const float lw = l * wt;
      if (grad != nullptr) grad[base + o] = g * (wt * P.grad_scale);
      if (loss_map != nullptr) loss_map[base + o] = lw;
      acc.sum += (double)lw;
      if (!isfinite(p)) acc.flags |= AWL_STAT_PRED_NONFINITE;
      if (isfinite(y)) {
        acc.tmin = fminf(acc.tmin, y);
        acc.tmax = fmaxf(acc.tmax, y);
      } else {
        acc.flags |= AWL_STAT_TARGET_NONFINITE;
      }
    }
  }
  acc = block_reduce<kThreads / 32>(acc, tid);
  if (tid == 0) {
    part_sum[b] = acc.sum;
    part_range[b] = make_float2(acc.tmin, acc.tmax);
    part_flags[b] = acc.flags;
  }
}

/** Second pass: one block reduces the per-block partials in a fixed order into the stats. */
__global__ void __launch_bounds__(kFinishThreads)
    awing_finish_kernel(const double* __restrict__ part_sum, const float2* __restrict__ part_range,
                        const unsigned* __restrict__ part_flags, int blocks,
                        awl_awing_stats* __restrict__ stats) {
  const int tid = threadIdx.x;
  Partial acc{0.0, INFINITY, -INFINITY, 0u};
  for (int i = tid; i < blocks; i += kFinishThreads) {
    const float2 r = part_range[i];
    acc = combine(acc, Partial{part_sum[i], r.x, r.y, part_flags[i]});
  }
  acc = block_reduce<kFinishThreads / 32>(acc, tid);
  if (tid == 0) {
    stats->total = acc.sum;
    stats->target_min = acc.tmin;
    stats->target_max = acc.tmax;
    stats->flags = acc.flags;
    stats->reserved = 0;
  }
}

/** Gaussian heatmaps: per tile, one warp computes the 32 column factors and one the 32 row
 *  factors; every pixel is their product. */
__global__ void __launch_bounds__(kThreads)
    gaussian_kernel(const float* __restrict__ landmarks, const float* __restrict__ visibility,
                    float* __restrict__ heatmaps, int h, int w, int tiles_x, int tiles_per_chan,
                    float sigma, double three_sigma, bool window3, bool partial) {
  __shared__ float gx[kTileW];
  __shared__ float gy[kTileH];
  const int b = blockIdx.x;
  const int chan = b / tiles_per_chan;
  const int t = b - chan * tiles_per_chan;
  const int i0 = (t / tiles_x) * kTileH;
  const int j0 = (t % tiles_x) * kTileW;
  const float x = landmarks[2 * (size_t)chan];
  const float y = landmarks[2 * (size_t)chan + 1];
  const float v = visibility != nullptr ? visibility[chan] : 1.0f;
  const bool drawn = awl::landmark_drawn(x, y, v, h, w, three_sigma, partial);
  const int c = threadIdx.x;
  if (threadIdx.y == 0) {
    gx[c] = drawn ? awl::gauss_1d(j0 + c, x, sigma, three_sigma, window3) : 0.0f;
  } else if (threadIdx.y == 1) {
    gy[c] = drawn ? awl::gauss_1d(i0 + c, y, sigma, three_sigma, window3) : 0.0f;
  }
  __syncthreads();
  const size_t base = (size_t)chan * (size_t)h * (size_t)w;
  const int j = j0 + c;
#pragma unroll
  for (int rr = 0; rr < kRowsPerThread; ++rr) {
    const int r = threadIdx.y + rr * kBlockY;
    const int i = i0 + r;
    if (i < h && j < w) heatmaps[base + (size_t)i * (size_t)w + (size_t)j] = gy[r] * gx[c];
  }
}

/** Argmax decoding, first pass: block b scans part b % parts of channel b / parts
 *  (argmax_part_range); each thread a strided subset in increasing order, then a fixed-order
 *  reduction keeps the larger value, or the smaller index on ties. With one part the block
 *  stores the channel's result; with more it writes its part's partial to the workspace. */
__global__ void __launch_bounds__(kArgmaxThreads)
    argmax_kernel(const float* __restrict__ heatmaps, float* __restrict__ landmarks,
                  float* __restrict__ confidence, awl::ArgmaxPartial* __restrict__ partials,
                  int64_t hw, int w, int parts) {
  __shared__ float s_val[kArgmaxThreads / 32];
  __shared__ int64_t s_idx[kArgmaxThreads / 32];
  __shared__ int s_bad[kArgmaxThreads / 32];
  const int tid = threadIdx.x;
  const int b = blockIdx.x;
  const int chan = b / parts;
  int64_t start = 0, end = 0;
  awl::argmax_part_range(hw, parts, b - chan * parts, &start, &end);
  const float* hm = heatmaps + (size_t)chan * (size_t)hw;
  float best = -INFINITY;
  int64_t bi = -1;
  int bad = awl::argmax_scan(hm, start + tid, end, kArgmaxThreads, &best, &bi) ? 1 : 0;
#pragma unroll
  for (int off = 16; off > 0; off >>= 1) {
    const float ov = __shfl_down_sync(0xffffffffu, best, off);
    const int64_t oi = __shfl_down_sync(0xffffffffu, bi, off);
    bad |= __shfl_down_sync(0xffffffffu, bad, off);
    if (awl::argmax_better(ov, oi, best, bi)) {
      best = ov;
      bi = oi;
    }
  }
  if ((tid & 31) == 0) {
    s_val[tid >> 5] = best;
    s_idx[tid >> 5] = bi;
    s_bad[tid >> 5] = bad;
  }
  __syncthreads();
  if (tid == 0) {
    for (int k = 1; k < kArgmaxThreads / 32; ++k) {
      bad |= s_bad[k];
      if (awl::argmax_better(s_val[k], s_idx[k], best, bi)) {
        best = s_val[k];
        bi = s_idx[k];
      }
    }
    if (parts == 1) {
      awl::argmax_store(landmarks, confidence, (uint64_t)chan, bad != 0, bi, best, w);
    } else {
      partials[b] = awl::ArgmaxPartial{bi, best, bad != 0 ? 1u : 0u};
    }
  }
}

/** Argmax decoding, second pass (parts > 1): one thread per channel folds the channel's parts
 *  in order and stores its result. */
__global__ void __launch_bounds__(kArgmaxThreads)
    argmax_finish_kernel(const awl::ArgmaxPartial* __restrict__ partials,
                         float* __restrict__ landmarks, float* __restrict__ confidence,
                         int channels, int parts, int w) {
  const int chan = blockIdx.x * kArgmaxThreads + threadIdx.x;
  if (chan >= channels) return;
  awl::ArgmaxPartial acc{-1, -INFINITY, 0u};
  const awl::ArgmaxPartial* mine = partials + (size_t)chan * (size_t)parts;
  for (int p = 0; p < parts; ++p) awl::argmax_combine(&acc, mine[p]);
  awl::argmax_store(landmarks, confidence, (uint64_t)chan, acc.bad != 0, acc.index, acc.value, w);
}

/** Checks that a grid of blocks (tiles or channels, what) fits one launch; fn names the entry
 *  point in the message. */
awlResult_t check_grid(uint64_t blocks, const char* what, const char* fn) {
  if (blocks > (uint64_t)INT_MAX) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "%s: %llu %s exceed one launch", fn,
                    (unsigned long long)blocks, what);
  }
  return AWL_SUCCESS;
}

/** How awl_argmax splits a batch: its channels, the parts of each (awl::argmax_parts) and the
 *  workspace bytes, 16 per part when there is more than one part a channel. */
struct ArgmaxLayout {
  uint64_t channels;
  int parts; // <= 1024
  uint64_t bytes;
};

/** Checks the shape (writing its pixel count) and that its channels fit one launch, and lays the
 *  batch out; fn names the entry point in the message. */
awlResult_t argmax_layout(int32_t n, int32_t k, int32_t h, int32_t w, const char* fn,
                          uint64_t* pixels, ArgmaxLayout* lay) {
  AWL_CHECK_SHAPE(n, k, h, w, pixels);
  lay->channels = (uint64_t)n * (uint64_t)k;
  AWL_TRY(check_grid(lay->channels, "channels", fn));
  lay->parts = (int)awl::argmax_parts((int64_t)h * (int64_t)w, (int64_t)lay->channels, INT_MAX);
  lay->bytes =
      lay->parts > 1 ? lay->channels * (uint64_t)lay->parts * sizeof(awl::ArgmaxPartial) : 0;
  return AWL_SUCCESS;
}

bool same(const awl_buffer* a, const awl_buffer* b) {
  return a != nullptr && b != nullptr && (a == b || (a->ptr != nullptr && a->ptr == b->ptr));
}

} // namespace

namespace awl {

awlResult_t kernel_code(int32_t* binary_version, int32_t* ptx_version) {
  cudaFuncAttributes attr;
  AWL_CUDA_TRY(cudaFuncGetAttributes(&attr, awing_kernel<true>));
  *binary_version = attr.binaryVersion;
  *ptx_version = attr.ptxVersion;
  return AWL_SUCCESS;
}

} // namespace awl

extern "C" {

AWL_API awlResult_t awl_awing_workspace_bytes(int32_t n, int32_t k, int32_t h, int32_t w,
                                              uint64_t* bytes) {
  if (bytes == nullptr) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_awing_workspace_bytes: bytes is NULL");
  }
  uint64_t pixels = 0;
  AWL_CHECK_SHAPE(n, k, h, w, &pixels);
  const Workspace lay = workspace_layout(n, k, h, w);
  AWL_TRY(check_grid(lay.blocks, "tiles", "awl_awing_workspace_bytes"));
  *bytes = lay.bytes;
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_awing(const awl_buffer* pred, const awl_buffer* target,
                              const awl_buffer* chan_w, awl_buffer* grad, awl_buffer* loss_map,
                              awl_buffer* workspace, int32_t n, int32_t k, int32_t h, int32_t w,
                              float alpha, float omega, float epsilon, float theta,
                              float map_weight, float map_threshold, float grad_scale,
                              int32_t device, awl_stream_t stream) {
  uint64_t pixels = 0;
  AWL_CHECK_SHAPE(n, k, h, w, &pixels);
  if (!(isfinite(alpha) && omega > 0.0f && isfinite(omega) && epsilon > 0.0f && isfinite(epsilon) &&
        theta > 0.0f && isfinite(theta) && map_weight >= 0.0f && isfinite(map_weight) &&
        isfinite(map_threshold) && isfinite(grad_scale))) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG,
                    "awl_awing: parameters out of range (alpha %g, omega %g, epsilon %g, theta "
                    "%g, map_weight %g, map_threshold %g, grad_scale %g)",
                    alpha, omega, epsilon, theta, map_weight, map_threshold, grad_scale);
  }
  const Workspace lay = workspace_layout(n, k, h, w);
  AWL_TRY(check_grid(lay.blocks, "tiles", "awl_awing"));
  const uint64_t bytes = pixels * 4;
  AWL_CHECK_BUFFER(pred, bytes, device, false);
  AWL_CHECK_BUFFER(target, bytes, device, false);
  AWL_CHECK_BUFFER(chan_w, (uint64_t)n * (uint64_t)k * 4, device, true);
  AWL_CHECK_BUFFER(grad, bytes, device, true);
  AWL_CHECK_BUFFER(loss_map, bytes, device, true);
  AWL_CHECK_BUFFER(workspace, lay.bytes, device, false);
  const awl_buffer* outs[] = {grad, loss_map, workspace};
  const awl_buffer* ins[] = {pred, target, chan_w};
  for (const awl_buffer* o : outs) {
    for (const awl_buffer* in : ins) {
      if (same(o, in)) {
        return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_awing: an output buffer aliases an input");
      }
    }
  }
  if (same(grad, loss_map) || same(grad, workspace) || same(loss_map, workspace)) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_awing: two output buffers alias each other");
  }
  AWL_TRY(awl::use_device(device));

  const cudaStream_t s = (cudaStream_t)stream;
  const int tiles_x = ceil_div(w, kTileW);
  const int tiles_per_chan = tiles_x * ceil_div(h, kTileH);
  const awl::AwingParams P{alpha, omega, epsilon, theta, map_weight, map_threshold, grad_scale};
  char* ws = (char*)workspace->ptr;
  double* part_sum = (double*)(ws + lay.sums);
  float2* part_range = (float2*)(ws + lay.ranges);
  unsigned* part_flags = (unsigned*)(ws + lay.flags);
  const float* cw = chan_w != nullptr ? (const float*)chan_w->ptr : nullptr;
  float* g = grad != nullptr ? (float*)grad->ptr : nullptr;
  float* lm = loss_map != nullptr ? (float*)loss_map->ptr : nullptr;
  const dim3 block(kBlockX, kBlockY);
  const unsigned grid = (unsigned)lay.blocks;
  if (map_weight != 0.0f) {
    awing_kernel<true><<<grid, block, 0, s>>>((const float*)pred->ptr, (const float*)target->ptr,
                                              cw, g, lm, part_sum, part_range, part_flags, h, w,
                                              tiles_x, tiles_per_chan, P);
  } else {
    awing_kernel<false><<<grid, block, 0, s>>>((const float*)pred->ptr, (const float*)target->ptr,
                                               cw, g, lm, part_sum, part_range, part_flags, h, w,
                                               tiles_x, tiles_per_chan, P);
  }
  AWL_CHECK_LAUNCH("awing_kernel", s);
  awing_finish_kernel<<<1, kFinishThreads, 0, s>>>(part_sum, part_range, part_flags,
                                                   (int)lay.blocks, (awl_awing_stats*)ws);
  AWL_CHECK_LAUNCH("awing_finish_kernel", s);
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_gaussian(const awl_buffer* landmarks, const awl_buffer* visibility,
                                 awl_buffer* heatmaps, int32_t n, int32_t k, int32_t h, int32_t w,
                                 double sigma, int32_t window, int32_t off_map, int32_t device,
                                 awl_stream_t stream) {
  uint64_t pixels = 0;
  AWL_CHECK_SHAPE(n, k, h, w, &pixels);
  AWL_TRY(awl::check_gaussian_args(sigma, window, off_map, "awl_gaussian"));
  const uint64_t channels = (uint64_t)n * (uint64_t)k;
  const int tiles_x = ceil_div(w, kTileW);
  const uint64_t tiles = (uint64_t)tiles_x * (uint64_t)ceil_div(h, kTileH);
  const uint64_t blocks = channels * tiles; // <= pixels <= 2^62: no wrap
  AWL_TRY(check_grid(blocks, "tiles", "awl_gaussian"));
  AWL_CHECK_BUFFER(landmarks, channels * 8, device, false);
  AWL_CHECK_BUFFER(visibility, channels * 4, device, true);
  AWL_CHECK_BUFFER(heatmaps, pixels * 4, device, false);
  if (same(heatmaps, landmarks) || same(heatmaps, visibility)) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_gaussian: the output aliases an input");
  }
  AWL_TRY(awl::use_device(device));
  const int tiles_per_chan = (int)tiles; // <= blocks <= INT_MAX
  const cudaStream_t s = (cudaStream_t)stream;
  gaussian_kernel<<<(unsigned)blocks, dim3(kBlockX, kBlockY), 0, s>>>(
      (const float*)landmarks->ptr, visibility != nullptr ? (const float*)visibility->ptr : nullptr,
      (float*)heatmaps->ptr, h, w, tiles_x, tiles_per_chan, (float)sigma, 3.0 * sigma,
      window == AWL_WINDOW_3SIGMA, off_map == AWL_OFF_MAP_PARTIAL);
  AWL_CHECK_LAUNCH("gaussian_kernel", s);
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_argmax_workspace_bytes(int32_t n, int32_t k, int32_t h, int32_t w,
                                               uint64_t* bytes) {
  if (bytes == nullptr) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_argmax_workspace_bytes: bytes is NULL");
  }
  uint64_t pixels = 0;
  ArgmaxLayout lay;
  AWL_TRY(argmax_layout(n, k, h, w, "awl_argmax_workspace_bytes", &pixels, &lay));
  *bytes = lay.bytes;
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_argmax(const awl_buffer* heatmaps, awl_buffer* landmarks,
                               awl_buffer* confidence, awl_buffer* workspace, int32_t n,
                               int32_t k, int32_t h, int32_t w, int32_t device,
                               awl_stream_t stream) {
  uint64_t pixels = 0;
  ArgmaxLayout lay;
  AWL_TRY(argmax_layout(n, k, h, w, "awl_argmax", &pixels, &lay));
  const uint64_t channels = lay.channels;
  const int parts = lay.parts;
  AWL_CHECK_BUFFER(heatmaps, pixels * 4, device, false);
  AWL_CHECK_BUFFER(landmarks, channels * 8, device, false);
  AWL_CHECK_BUFFER(confidence, channels * 4, device, false);
  AWL_CHECK_BUFFER(workspace, lay.bytes, device, lay.bytes == 0);
  const awl_buffer* all[] = {heatmaps, landmarks, confidence, workspace};
  for (int i = 0; i < 4; ++i) {
    for (int j = i + 1; j < 4; ++j) {
      if (same(all[i], all[j])) {
        return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_argmax: buffers alias each other");
      }
    }
  }
  AWL_TRY(awl::use_device(device));
  const cudaStream_t s = (cudaStream_t)stream;
  auto* partials = parts > 1 ? (awl::ArgmaxPartial*)workspace->ptr : nullptr;
  // channels * parts <= INT_MAX (argmax_parts)
  argmax_kernel<<<(unsigned)(channels * (uint64_t)parts), kArgmaxThreads, 0, s>>>(
      (const float*)heatmaps->ptr, (float*)landmarks->ptr, (float*)confidence->ptr, partials,
      (int64_t)h * (int64_t)w, w, parts);
  AWL_CHECK_LAUNCH("argmax_kernel", s);
  if (parts > 1) {
    const int ch = (int)channels;
    argmax_finish_kernel<<<(unsigned)ceil_div(ch, kArgmaxThreads), kArgmaxThreads, 0, s>>>(
        partials, (float*)landmarks->ptr, (float*)confidence->ptr, ch, parts, w);
    AWL_CHECK_LAUNCH("argmax_finish_kernel", s);
  }
  return AWL_SUCCESS;
}

} // extern "C"
