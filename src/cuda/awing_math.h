/*************************************************************************
 * awing: the per-pixel math shared by the CUDA kernels (kernels.cu) and the host entry points
 * (host.cpp). Every function is __host__ __device__ inline, so the CPU path that the tests
 * check against the float64 reference runs the same code as the GPU. Results agree to a few
 * ulp, not bit for bit: nvcc contracts a*b + c into FMAs and the device expf/logf/log1pf
 * differ from glibc's by 1-2 ulp (argmax, which does no arithmetic, is exact).
 *
 * Compiles as CUDA (nvcc) and as plain C++ (no CUDA header needed).
 ************************************************************************/
#ifndef AWING_MATH_H_
#define AWING_MATH_H_

#include <math.h>
#include <stdint.h>

#if defined(__CUDACC__)
#define AWL_HD __host__ __device__ __forceinline__
#else
#define AWL_HD inline
#endif

namespace awl {

/** Parameters of one fused AWing pass (all float32, as the kernels use them). */
struct AwingParams {
  float alpha;
  float omega;
  float epsilon;
  float theta;
  float map_weight;    // W of the loss map; 0 disables the map
  float map_threshold; // strict > on the dilated target
  float grad_scale;    // 1 / (N*K*H*W) for the mean, 1 for sum and none
};

/** u^e for u >= 0 as exp2(e * log2(u)), with the limits at u = 0: 0 for e > 0, 1 for e = 0,
 *  +inf for e < 0. NaN propagates. */
AWL_HD float pow_nonneg(float u, float e) {
  if (u > 0.0f) return exp2f(e * log2f(u));
  if (u == 0.0f) return e > 0.0f ? 0.0f : (e == 0.0f ? 1.0f : INFINITY);
  return u + e; // NaN (u is NaN or negative, which the caller never passes)
}

/** sign(e) as -1, 0 or +1 (0 for NaN). */
AWL_HD float sign3(float e) { return e > 0.0f ? 1.0f : (e < 0.0f ? -1.0f : 0.0f); }

/**
 * The Adaptive Wing loss of one pixel (unweighted) and, in *grad, its derivative with respect
 * to the prediction p. With d = |y - p|, q = alpha - y, u = min(d, theta) / epsilon:
 *   loss = omega * log1p(u^q) + S * max(d - theta, 0),
 *   S = omega * q * u^(q-1) / (epsilon * (1 + u^q)),   grad = sign(p - y) * S.
 * At d >= theta, S is the paper's A(y) and the loss is A d - C. NaN inputs give NaN.
 */
AWL_HD float awing_pixel(float p, float y, const AwingParams& P, float* grad) {
  const float e = p - y;
  const float d = fabsf(e);
  const float q = P.alpha - y;
  const float u = (d > P.theta ? P.theta : d) / P.epsilon; // NaN d stays NaN
  const float uq1 = pow_nonneg(u, q - 1.0f);
  const float uq = uq1 * u;
  const float s = (P.omega * q * uq1) / (P.epsilon * (1.0f + uq));
  const float over = d > P.theta ? d - P.theta : 0.0f;
  *grad = sign3(e) * s;
  return P.omega * log1pf(uq) + s * over;
}

/** Weight of one pixel: (W * [dilated > thr] + 1) * cw, or cw when W is 0. */
AWL_HD float pixel_weight(float dilated, float map_weight, float map_threshold, float cw) {
  return (map_weight != 0.0f && dilated > map_threshold) ? (map_weight + 1.0f) * cw : cw;
}

/** 3x3 grey dilation at (i, j) of one h x w channel; neighbours outside the map are ignored
 *  (NaN neighbours too: fmaxf). */
AWL_HD float dilate3x3(const float* t, int h, int w, int i, int j) {
  float m = -INFINITY;
  for (int di = -1; di <= 1; ++di) {
    const int ii = i + di;
    if (ii < 0 || ii >= h) continue;
    for (int dj = -1; dj <= 1; ++dj) {
      const int jj = j + dj;
      if (jj < 0 || jj >= w) continue;
      m = fmaxf(m, t[(size_t)ii * (size_t)w + (size_t)jj]);
    }
  }
  return m;
}

/** Whether a landmark draws a Gaussian: not NaN, visibility > 0 (0, negative and NaN mean
 *  invisible), and, when partial, the map's nearest column and row within 3 sigma
 *  (-x <= 3 sigma and x - (w - 1) <= 3 sigma in double, exact near the bounds, so that they
 *  agree with gauss_1d's window), else on the map (-0.5 <= x < w - 0.5, -0.5 <= y < h - 0.5). */
AWL_HD bool landmark_drawn(float x, float y, float visibility, int h, int w, double three_sigma,
                           bool partial) {
  if (!(visibility > 0.0f)) return false;
  if (partial) {
    const double dx = x, dy = y;
    return -dx <= three_sigma && dx - (double)(w - 1) <= three_sigma && -dy <= three_sigma &&
           dy - (double)(h - 1) <= three_sigma;
  }
  return x >= -0.5f && x < (float)w - 0.5f && y >= -0.5f && y < (float)h - 0.5f;
}

/** One factor of the separable Gaussian: exp(-(c - centre)^2 / (2 sigma^2)) at the integer
 *  coordinate c; 0 outside |c - centre| <= three_sigma when window3. The window is tested in
 *  double against 3 sigma of the caller's double sigma, so that its edge does not depend on
 *  float rounding (as the WASM core, which computes its windows in float64). */
AWL_HD float gauss_1d(int c, float centre, float sigma, double three_sigma, bool window3) {
  if (window3 && !(fabs((double)c - (double)centre) <= three_sigma)) return 0.0f;
  const float d = (float)c - centre;
  return expf(-(d * d) / (2.0f * sigma * sigma));
}

/** Whether candidate (v, i) beats the best so far (bv, bi) for "first maximum in row-major
 *  order": larger value, or equal value at a smaller index. bi < 0 means no best yet. */
AWL_HD bool argmax_better(float v, int64_t i, float bv, int64_t bi) {
  return i >= 0 && (bi < 0 || v > bv || (v == bv && i < bi));
}

/** Scans hm[i] for i = start, start + step, ... < end in increasing order for the first
 *  maximum: updates (best, bi) by argmax_better and returns whether a value was NaN or
 *  infinite. */
AWL_HD bool argmax_scan(const float* hm, int64_t start, int64_t end, int64_t step, float* best,
                        int64_t* bi) {
  bool bad = false;
  for (int64_t i = start; i < end; i += step) {
    const float v = hm[i];
    if (!isfinite(v)) {
      bad = true;
    } else if (argmax_better(v, i, *best, *bi)) {
      *best = v;
      *bi = i;
    }
  }
  return bad;
}

/** The first maximum of some pixels of a channel, as argmax_scan leaves it: the value and its
 *  index (-1: none yet), and whether a pixel was NaN or infinite. 16 bytes, the layout of one
 *  entry of awl_argmax's workspace. */
struct ArgmaxPartial {
  int64_t index;
  float value;
  uint32_t bad;
};

/** Folds the partial o into acc: the larger value, or the smaller index on ties (argmax_better),
 *  and the bad flags or-ed. The order in which partials are folded does not change the result:
 *  argmax_better is a strict total order on (value, index). */
AWL_HD void argmax_combine(ArgmaxPartial* acc, const ArgmaxPartial& o) {
  acc->bad |= o.bad;
  if (argmax_better(o.value, o.index, acc->value, acc->index)) {
    acc->value = o.value;
    acc->index = o.index;
  }
}

/** Pixels one argmax block scans at least, and the most blocks a channel is split into. */
constexpr int64_t kArgmaxPartPixels = 16384;
constexpr int64_t kArgmaxMaxParts = 1024;

/** Into how many parts awl_argmax splits each of `channels` channels of hw pixels:
 *  ceil(hw / kArgmaxPartPixels), at most kArgmaxMaxParts and at most max_blocks / channels (a
 *  launch's grid), at least 1. */
AWL_HD int64_t argmax_parts(int64_t hw, int64_t channels, int64_t max_blocks) {
  int64_t parts = hw / kArgmaxPartPixels + (hw % kArgmaxPartPixels != 0);
  if (parts > kArgmaxMaxParts) parts = kArgmaxMaxParts;
  const int64_t fit = channels > 0 ? max_blocks / channels : 1;
  if (parts > fit) parts = fit;
  return parts < 1 ? 1 : parts;
}

/** Pixels [*start, *end) of part p of `parts` over a channel of hw pixels: contiguous runs of
 *  ceil(hw / parts) pixels in order; parts past the end are empty (start = end = hw). */
AWL_HD void argmax_part_range(int64_t hw, int64_t parts, int64_t p, int64_t* start,
                              int64_t* end) {
  const int64_t len = hw / parts + (hw % parts != 0);
  const int64_t s = p < hw / len + 1 ? p * len : hw; // p * len cannot overflow for p <= hw / len
  *start = s < hw ? s : hw;
  *end = *start + len < hw ? *start + len : hw;
}

/** Stores the result of channel ch: landmark (x = col, y = row) of index bi in rows of w and
 *  confidence best, or NaN for all three when the channel held a NaN or an infinite value. */
AWL_HD void argmax_store(float* landmarks, float* confidence, uint64_t ch, bool bad, int64_t bi,
                         float best, int w) {
  if (bad || bi < 0) {
    landmarks[2 * ch] = NAN;
    landmarks[2 * ch + 1] = NAN;
    confidence[ch] = NAN;
  } else {
    landmarks[2 * ch] = (float)(bi % w);
    landmarks[2 * ch + 1] = (float)(bi / w);
    confidence[ch] = best;
  }
}

} // namespace awl

#endif // AWING_MATH_H_
