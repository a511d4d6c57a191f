/*************************************************************************
 * awing CUDA library: the public C ABI.
 *
 * Fused Adaptive Wing loss (Wang, Bo, Fuxin, ICCV 2019) with its gradient and the paper's
 * weighted loss map, Gaussian target heatmaps and argmax decoding over [N, K, H, W] float32
 * heatmaps (row-major), for the awing Deno package (`src/gpu/`, Deno FFI).
 *
 * Conventions (NCCL style):
 *  - Every function except the two error-text getters returns an awlResult_t; AWL_SUCCESS is 0.
 *    On failure, awl_get_last_error() describes what went wrong on the calling thread.
 *  - The library never calls exit() or abort() and never throws across the ABI.
 *  - Outputs go through out-parameters. Device memory is owned by opaque awl_buffer handles.
 *  - Every call that enqueues GPU work takes the device and the stream as its last two
 *    arguments. `stream` is a cudaStream_t passed as void* (awl_stream_create makes one; NULL is
 *    the legacy default stream). Such calls return once the work is enqueued, not when it has
 *    completed: call awl_synchronize (or copy results back with awl_copy_dtoh) before reading
 *    results.
 *  - Contexts: awl_device_count, awl_device_properties and awl_build_targets create no CUDA
 *    context. Every other call that names a device makes it current on the calling thread,
 *    which creates the device's primary context on its first use (awl_device_init does this
 *    explicitly and checks that the library has code the device runs).
 *  - Errors of enqueued kernels that happen while they run (not at launch) are asynchronous:
 *    they are reported by a later call on the same device, typically awl_synchronize or
 *    awl_copy_dtoh. Set the environment variable AWL_CUDA_SYNC=1 to synchronise after every
 *    launch, so that such an error is reported by the call that launched the kernel.
 *  - Pixel convention: pixel (row i, col j) of an H x W map has its centre at (x = j, y = i).
 *  - The awl_host_* entry points run the same per-pixel functions (awing_math.h) on the CPU,
 *    over host arrays; they need no GPU and no driver.
 ************************************************************************/
#ifndef AWING_H_
#define AWING_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define AWL_API __declspec(dllexport)
#else
#define AWL_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Library version, major * 10000 + minor * 100 + patch. */
#define AWL_VERSION_CODE 100
/** ABI revision: bumped whenever a signature or a struct layout changes. The TypeScript
 *  bridge refuses a library with another ABI revision. */
#define AWL_ABI_VERSION 3

/** Status codes returned by every awl_* function. */
typedef enum {
  AWL_SUCCESS = 0,           /**< no error */
  AWL_ERR_INVALID_ARG = 1,   /**< a NULL pointer, a non-positive size, a buffer too small... */
  AWL_ERR_NO_DEVICE = 2,     /**< no CUDA device or no usable driver */
  AWL_ERR_OUT_OF_MEMORY = 3, /**< a device allocation failed */
  AWL_ERR_CUDA = 4,          /**< any other CUDA runtime error (text in awl_get_last_error) */
  AWL_ERR_INTERNAL = 5,      /**< an unexpected failure inside the library */
  AWL_NUM_RESULTS = 6
} awlResult_t;

/** Opaque handle of a device allocation: device pointer, size in bytes and device. */
typedef struct awl_buffer awl_buffer;
/** Opaque handle of a pair of CUDA events, for timing enqueued work. */
typedef struct awl_timer awl_timer;
/** A cudaStream_t, or NULL for the legacy default stream. */
typedef void* awl_stream_t;

/** Window of a Gaussian heatmap. */
typedef enum {
  AWL_WINDOW_3SIGMA = 0, /**< only pixels with |j - x| <= 3 sigma and |i - y| <= 3 sigma */
  AWL_WINDOW_FULL = 1    /**< the whole map */
} awlWindow_t;

/** What a landmark off the map (outside -0.5 <= x < w - 0.5, -0.5 <= y < h - 0.5) draws. */
typedef enum {
  /** the part of its Gaussian on the map, while -3 sigma <= x <= w - 1 + 3 sigma and
   *  -3 sigma <= y <= h - 1 + 3 sigma; beyond, an all-zero channel */
  AWL_OFF_MAP_PARTIAL = 0,
  AWL_OFF_MAP_EMPTY = 1 /**< an all-zero channel */
} awlOffMap_t;

/** Flags of awl_awing_stats.flags. */
#define AWL_STAT_PRED_NONFINITE 1u   /**< some prediction is NaN or infinite */
#define AWL_STAT_TARGET_NONFINITE 2u /**< some target is NaN or infinite */

/**
 * Summary of one fused AWing pass. 24 bytes, no padding inside:
 * offset 0 total (f64), 8 target_min (f32), 12 target_max (f32), 16 flags (u32), 20 reserved.
 */
typedef struct awl_awing_stats {
  /** sum over all pixels of loss * weight (reduced in a fixed order: deterministic) */
  double total;
  /** smallest and largest finite target value (+inf / -inf when there is none) */
  float target_min;
  float target_max;
  /** AWL_STAT_* bits */
  uint32_t flags;
  uint32_t reserved;
} awl_awing_stats;

/* ------------------------------------------------------------------ errors, version */

/** Static text of a status code, e.g. "invalid argument". Never NULL. */
AWL_API const char* awl_get_error_string(awlResult_t status);

/** Text of the last failure on the calling thread: what failed, the CUDA error name and
 *  cudaGetErrorString text, and the library's file:line. Valid until the next awl_* call on the
 *  same thread. Never NULL ("no error" before any failure). */
AWL_API const char* awl_get_last_error(void);

/** AWL_VERSION_CODE and AWL_ABI_VERSION of the loaded library. */
AWL_API awlResult_t awl_get_version(int32_t* version, int32_t* abi);

/* ------------------------------------------------------------------ devices */

/** Number of CUDA devices. With no device or no usable driver, sets *count to 0 and returns
 *  AWL_ERR_NO_DEVICE with the reason in awl_get_last_error (the runtime's error is cleared).
 *  Creates no context. */
AWL_API awlResult_t awl_device_count(int32_t* count);

/** What the device is, read without creating a context on it (cudaGetDeviceProperties and
 *  cudaDeviceGetAttribute): its name (NUL-terminated, truncated to capacity bytes), compute
 *  capability major.minor, compute mode (cudaComputeMode: 0 default, 1 exclusive-thread,
 *  2 prohibited, 3 exclusive-process) and total memory in bytes. */
AWL_API awlResult_t awl_device_properties(int32_t device, char* name, int32_t capacity,
                                          int32_t* major, int32_t* minor, int32_t* compute_mode,
                                          uint64_t* total_bytes);

/** The code the library carries, as the build recorded it: space-separated targets such as
 *  "sm_75 sm_80 sm_90 compute_75" (sm_XX: machine code, compute_XX: PTX that the driver
 *  compiles for newer GPUs), NUL-terminated and truncated to capacity bytes; "" when the build
 *  did not record them. Needs no driver. */
AWL_API awlResult_t awl_build_targets(char* text, int32_t capacity);

/** Makes the device current on the calling thread, which creates its primary context, and
 *  checks that the library has code it runs: binary_version is the architecture of the machine
 *  code the device runs (90 for sm_90), ptx_version that of the PTX it was compiled from when
 *  the driver compiled it (else the architecture the machine code was built from). Also its
 *  free and total memory in bytes. AWL_ERR_CUDA with cudaErrorNoKernelImageForDevice (or
 *  cudaErrorInvalidDeviceFunction) when the library has no code for the device, with
 *  cudaErrorDevicesUnavailable when the device is busy (exclusive-process mode, held by another
 *  process) or prohibited. */
AWL_API awlResult_t awl_device_init(int32_t device, uint64_t* free_bytes, uint64_t* total_bytes,
                                    int32_t* binary_version, int32_t* ptx_version);

/** Creates a stream on the device with cudaStreamNonBlocking: its work is ordered neither with
 *  the legacy default stream nor with other streams, only with itself. */
AWL_API awlResult_t awl_stream_create(int32_t device, awl_stream_t* out);

/** Destroys a stream of the device (cudaStreamDestroy: work already enqueued on it still
 *  completes). NULL is a no-op. */
AWL_API awlResult_t awl_stream_destroy(int32_t device, awl_stream_t stream);

/** Waits until all work enqueued on the stream of the device has completed. */
AWL_API awlResult_t awl_synchronize(int32_t device, awl_stream_t stream);

/* ------------------------------------------------------------------ buffers */

/** Allocates bytes of device memory on the device (cudaMalloc; its contents are undefined:
 *  awl_buffer_zero fills it). bytes may be 0 (the handle then holds no memory).
 *  AWL_ERR_OUT_OF_MEMORY when the device cannot hold it. */
AWL_API awlResult_t awl_buffer_alloc(uint64_t bytes, awl_buffer** out, int32_t device);

/** Frees a buffer and its handle. NULL is a no-op. Synchronises with the device (cudaFree). */
AWL_API awlResult_t awl_buffer_free(awl_buffer* buffer);

/** Enqueues filling bytes of the buffer from offset with zeros on the stream
 *  (cudaMemsetAsync). */
AWL_API awlResult_t awl_buffer_zero(awl_buffer* buffer, uint64_t offset, uint64_t bytes,
                                    int32_t device, awl_stream_t stream);

/** Size in bytes and device of a buffer. */
AWL_API awlResult_t awl_buffer_info(const awl_buffer* buffer, uint64_t* bytes, int32_t* device);

/** Copies bytes from host memory to dst + dst_offset. Returns when the host memory may be
 *  reused (the copy is synchronous with respect to the host buffer). */
AWL_API awlResult_t awl_copy_htod(awl_buffer* dst, uint64_t dst_offset, const void* src,
                                  uint64_t bytes, int32_t device, awl_stream_t stream);

/** Copies bytes from src + src_offset to host memory; returns when the copy has completed,
 *  after all work enqueued before it on the stream. */
AWL_API awlResult_t awl_copy_dtoh(void* dst, const awl_buffer* src, uint64_t src_offset,
                                  uint64_t bytes, int32_t device, awl_stream_t stream);

/* ------------------------------------------------------------------ kernels (enqueue only) */

/** Bytes of workspace that awl_awing needs for an [n, k, h, w] batch. */
AWL_API awlResult_t awl_awing_workspace_bytes(int32_t n, int32_t k, int32_t h, int32_t w,
                                              uint64_t* bytes);

/**
 * Fused Adaptive Wing loss, gradient and weighted loss map over [n, k, h, w] float32.
 * Per pixel, with d = |y - p|, q = alpha - y, u = min(d, theta) / epsilon:
 *   loss = omega * log1p(u^q) + S * max(d - theta, 0),
 *   S    = omega * q * u^(q-1) / (epsilon * (1 + u^q)),   grad = sign(p - y) * S,
 *   weight = (map_weight * [3x3 grey dilation of target > map_threshold] + 1) * chan_w[n*K+k]
 * (out-of-map neighbours ignored; chan_w NULL means 1; map_weight 0 means no map; the strict >
 * compares float32 values, as the WASM core and the float64 reference do),
 *   grad_out = grad * (weight * grad_scale),  loss_map_out = loss * weight.
 * The target must stay below alpha - 1 (q > 1) for u^(q-1) to be finite at zero error; the
 * library does not check it but reports the target range in the stats.
 * pred, target: n*k*h*w floats. chan_w: n*k floats or NULL. grad, loss_map: n*k*h*w floats or
 * NULL. workspace: awl_awing_workspace_bytes() bytes; on completion it starts with an
 * awl_awing_stats (copy its first 24 bytes back with awl_copy_dtoh).
 * The total is reduced deterministically: per-block partial sums in double, then one more
 * pass in a fixed order (no floating-point atomics): the same inputs give the same bits.
 */
AWL_API awlResult_t awl_awing(const awl_buffer* pred, const awl_buffer* target,
                              const awl_buffer* chan_w, awl_buffer* grad, awl_buffer* loss_map,
                              awl_buffer* workspace, int32_t n, int32_t k, int32_t h, int32_t w,
                              float alpha, float omega, float epsilon, float theta,
                              float map_weight, float map_threshold, float grad_scale,
                              int32_t device, awl_stream_t stream);

/**
 * Gaussian heatmaps [n, k, h, w] from landmarks [n, k, 2] (x, y in heatmap coordinates):
 * value exp(-((j - x)^2 + (i - y)^2) / (2 sigma^2)) at pixel (i, j), computed as the outer
 * product of two 1-D Gaussians, in float32 with sigma rounded to float; the 3-sigma window is
 * tested in double against 3 * sigma. window: AWL_WINDOW_3SIGMA or AWL_WINDOW_FULL. A landmark
 * that is NaN or has visibility <= 0 or NaN (visibility: n*k floats or NULL) gives an all-zero
 * channel; one off the map what off_map says (AWL_OFF_MAP_PARTIAL or AWL_OFF_MAP_EMPTY; the
 * partial bounds are tested in double, as -x <= 3 sigma and x - (w - 1) <= 3 sigma).
 */
AWL_API awlResult_t awl_gaussian(const awl_buffer* landmarks, const awl_buffer* visibility,
                                 awl_buffer* heatmaps, int32_t n, int32_t k, int32_t h, int32_t w,
                                 double sigma, int32_t window, int32_t off_map, int32_t device,
                                 awl_stream_t stream);

/** Bytes of workspace that awl_argmax needs for an [n, k, h, w] batch: 0 when every channel
 *  is scanned by one block, else 16 bytes per block (see awl_argmax). */
AWL_API awlResult_t awl_argmax_workspace_bytes(int32_t n, int32_t k, int32_t h, int32_t w,
                                               uint64_t* bytes);

/**
 * Argmax decoding of heatmaps [n, k, h, w]: per channel the first maximum in row-major order
 * gives landmarks [n, k, 2] = (x = col, y = row) and confidence [n, k] = the maximum. A channel
 * holding a NaN or an infinite value gets NaN for all three.
 * A channel of h * w pixels is split into P = min(ceil(h * w / 16384), 1024) contiguous parts
 * of ceil(h * w / P) pixels (fewer when n * k * P would exceed INT_MAX blocks), one block each;
 * with P > 1 each block writes its part's first maximum to the workspace
 * (awl_argmax_workspace_bytes; NULL when that is 0) and a second kernel keeps, per channel, the
 * larger value or on ties the smaller index: the result does not depend on the split.
 */
AWL_API awlResult_t awl_argmax(const awl_buffer* heatmaps, awl_buffer* landmarks,
                               awl_buffer* confidence, awl_buffer* workspace, int32_t n,
                               int32_t k, int32_t h, int32_t w, int32_t device,
                               awl_stream_t stream);

/* ------------------------------------------------------------------ timing */

/** Creates a timer (two CUDA events) on the device. */
AWL_API awlResult_t awl_timer_create(awl_timer** out, int32_t device);
/** Records the start event on the stream. */
AWL_API awlResult_t awl_timer_start(awl_timer* timer, awl_stream_t stream);
/** Records the stop event on the stream, waits for it and returns the milliseconds between. */
AWL_API awlResult_t awl_timer_stop(awl_timer* timer, awl_stream_t stream, float* ms);
/** Destroys a timer. NULL is a no-op. */
AWL_API awlResult_t awl_timer_destroy(awl_timer* timer);

/* ------------------------------------------------------------------ host entry points */

/** awl_awing on host arrays, on the CPU, with the same per-pixel functions. stats: out. */
AWL_API awlResult_t awl_host_awing(const float* pred, const float* target, const float* chan_w,
                                   float* grad, float* loss_map, int32_t n, int32_t k, int32_t h,
                                   int32_t w, float alpha, float omega, float epsilon, float theta,
                                   float map_weight, float map_threshold, float grad_scale,
                                   awl_awing_stats* stats);

/** awl_gaussian on host arrays, on the CPU. */
AWL_API awlResult_t awl_host_gaussian(const float* landmarks, const float* visibility,
                                      float* heatmaps, int32_t n, int32_t k, int32_t h, int32_t w,
                                      double sigma, int32_t window, int32_t off_map);

/** awl_argmax on host arrays, on the CPU, with the same split of each channel into parts
 *  (parts 0) or into the given number of parts (parts > 0; more parts than pixels leave some
 *  parts empty), each scanned on its own and then combined as the second kernel does. */
AWL_API awlResult_t awl_host_argmax(const float* heatmaps, float* landmarks, float* confidence,
                                    int32_t n, int32_t k, int32_t h, int32_t w, int32_t parts);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AWING_H_ */
