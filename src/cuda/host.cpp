/*************************************************************************
 * awing: the host entry points (awl_host_*). They run the per-pixel functions of awing_math.h
 * on the CPU over host arrays, so that tests without a GPU check the library's math, the
 * dilation and the FFI marshalling against the float64 reference. They need no driver.
 ************************************************************************/
#include <limits.h>
#include <math.h>

#include "_internal.h"
#include "awing_math.h"

namespace {

bool overlaps(const float* a, uint64_t na, const float* b, uint64_t nb) {
  return a != nullptr && b != nullptr && a < b + nb && b < a + na;
}

} // namespace

extern "C" {

AWL_API awlResult_t awl_host_awing(const float* pred, const float* target, const float* chan_w,
                                   float* grad, float* loss_map, int32_t n, int32_t k, int32_t h,
                                   int32_t w, float alpha, float omega, float epsilon, float theta,
                                   float map_weight, float map_threshold, float grad_scale,
                                   awl_awing_stats* stats) {
  uint64_t pixels = 0;
  AWL_CHECK_SHAPE(n, k, h, w, &pixels);
  if (pred == nullptr || target == nullptr || stats == nullptr) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_host_awing: pred, target and stats are required");
  }
  if (!(isfinite(alpha) && omega > 0.0f && isfinite(omega) && epsilon > 0.0f && isfinite(epsilon) &&
        theta > 0.0f && isfinite(theta) && map_weight >= 0.0f && isfinite(map_weight) &&
        isfinite(map_threshold) && isfinite(grad_scale))) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_host_awing: parameters out of range");
  }
  const uint64_t nk = (uint64_t)n * (uint64_t)k;
  const float* ins[] = {pred, target};
  float* outs[] = {grad, loss_map};
  for (float* o : outs) {
    for (const float* in : ins) {
      if (overlaps(o, pixels, in, pixels) || overlaps(o, pixels, chan_w, nk)) {
        return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_host_awing: an output overlaps an input");
      }
    }
  }
  if (overlaps(grad, pixels, loss_map, pixels)) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_host_awing: the outputs overlap");
  }
  const awl::AwingParams P{alpha, omega, epsilon, theta, map_weight, map_threshold, grad_scale};
  const uint64_t hw = (uint64_t)h * (uint64_t)w;
  double total = 0.0;
  float tmin = INFINITY, tmax = -INFINITY;
  uint32_t flags = 0;
  for (uint64_t ch = 0; ch < nk; ++ch) {
    const uint64_t base = ch * hw;
    const float* tg = target + base;
    const float cw = chan_w != nullptr ? chan_w[ch] : 1.0f;
    for (int i = 0; i < h; ++i) {
      for (int j = 0; j < w; ++j) {
        const uint64_t o = base + (uint64_t)i * (uint64_t)w + (uint64_t)j;
        const float p = pred[o];
        const float y = target[o];
        const float wt = map_weight != 0.0f ? awl::pixel_weight(awl::dilate3x3(tg, h, w, i, j),
                                                                map_weight, map_threshold, cw)
                                            : cw;
        float g;
        const float l = awl::awing_pixel(p, y, P, &g);
        const float lw = l * wt;
        if (grad != nullptr) grad[o] = g * (wt * grad_scale);
        if (loss_map != nullptr) loss_map[o] = lw;
        total += (double)lw;
        if (!isfinite(p)) flags |= AWL_STAT_PRED_NONFINITE;
        if (isfinite(y)) {
          tmin = fminf(tmin, y);
          tmax = fmaxf(tmax, y);
        } else {
          flags |= AWL_STAT_TARGET_NONFINITE;
        }
      }
    }
  }
  stats->total = total;
  stats->target_min = tmin;
  stats->target_max = tmax;
  stats->flags = flags;
  stats->reserved = 0;
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_host_gaussian(const float* landmarks, const float* visibility,
                                      float* heatmaps, int32_t n, int32_t k, int32_t h, int32_t w,
                                      double sigma, int32_t window, int32_t off_map) {
  uint64_t pixels = 0;
  AWL_CHECK_SHAPE(n, k, h, w, &pixels);
  if (landmarks == nullptr || heatmaps == nullptr) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_host_gaussian: landmarks and heatmaps are required");
  }
  AWL_TRY(awl::check_gaussian_args(sigma, window, off_map, "awl_host_gaussian"));
  const uint64_t nk = (uint64_t)n * (uint64_t)k;
  if (overlaps(heatmaps, pixels, landmarks, 2 * nk) || overlaps(heatmaps, pixels, visibility, nk)) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_host_gaussian: the output overlaps an input");
  }
  const bool window3 = window == AWL_WINDOW_3SIGMA;
  const bool partial = off_map == AWL_OFF_MAP_PARTIAL;
  const float sigma_f = (float)sigma;
  const double three_sigma = 3.0 * sigma;
  const uint64_t hw = (uint64_t)h * (uint64_t)w;
  for (uint64_t ch = 0; ch < nk; ++ch) {
    const float x = landmarks[2 * ch];
    const float y = landmarks[2 * ch + 1];
    const float v = visibility != nullptr ? visibility[ch] : 1.0f;
    const bool drawn = awl::landmark_drawn(x, y, v, h, w, three_sigma, partial);
    float* out = heatmaps + ch * hw;
    for (int i = 0; i < h; ++i) {
      const float gy = drawn ? awl::gauss_1d(i, y, sigma_f, three_sigma, window3) : 0.0f;
      for (int j = 0; j < w; ++j) {
        const float gx = drawn ? awl::gauss_1d(j, x, sigma_f, three_sigma, window3) : 0.0f;
        out[(uint64_t)i * (uint64_t)w + (uint64_t)j] = gy * gx;
      }
    }
  }
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_host_argmax(const float* heatmaps, float* landmarks, float* confidence,
                                    int32_t n, int32_t k, int32_t h, int32_t w, int32_t parts) {
  uint64_t pixels = 0;
  AWL_CHECK_SHAPE(n, k, h, w, &pixels);
  if (heatmaps == nullptr || landmarks == nullptr || confidence == nullptr) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_host_argmax: NULL array");
  }
  if (parts < 0) return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_host_argmax: parts %d < 0", (int)parts);
  const uint64_t nk = (uint64_t)n * (uint64_t)k;
  if (overlaps(landmarks, 2 * nk, heatmaps, pixels) || overlaps(confidence, nk, heatmaps, pixels) ||
      overlaps(landmarks, 2 * nk, confidence, nk)) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_host_argmax: arrays overlap");
  }
  const int64_t hw = (int64_t)h * (int64_t)w;
  const int64_t split = parts > 0 ? parts : awl::argmax_parts(hw, (int64_t)nk, INT_MAX);
  for (uint64_t ch = 0; ch < nk; ++ch) {
    const float* hm = heatmaps + ch * (uint64_t)hw;
    // each part on its own, as one block of the kernel, then folded in order as the 2nd kernel
    awl::ArgmaxPartial acc{-1, -INFINITY, 0u};
    for (int64_t p = 0; p < split; ++p) {
      int64_t start = 0, end = 0;
      awl::argmax_part_range(hw, split, p, &start, &end);
      awl::ArgmaxPartial part{-1, -INFINITY, 0u};
      part.bad = awl::argmax_scan(hm, start, end, 1, &part.value, &part.index) ? 1u : 0u;
      awl::argmax_combine(&acc, part);
    }
    awl::argmax_store(landmarks, confidence, ch, acc.bad != 0, acc.index, acc.value, w);
  }
  return AWL_SUCCESS;
}

} // extern "C"
