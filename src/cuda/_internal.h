/*************************************************************************
 * awing: internals shared by the library's translation units (not installed, not public).
 ************************************************************************/
#ifndef AWING_INTERNAL_H_
#define AWING_INTERNAL_H_

#include <cuda_runtime.h>

#include "awing.h"

/** A device allocation. ptr is NULL when bytes is 0. */
struct awl_buffer {
  void* ptr;
  uint64_t bytes;
  int32_t device;
};

/** Two CUDA events on one device. */
struct awl_timer {
  cudaEvent_t start;
  cudaEvent_t stop;
  int32_t device;
};

namespace awl {

/** Records a failure as the calling thread's last error ("<text> (file:line)") and returns
 *  status. printf-style. */
awlResult_t fail(awlResult_t status, const char* file, int line, const char* fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/** Records a failed CUDA runtime call (its error name, its cudaGetErrorString text and where),
 *  clears the runtime's (non-sticky) error state and returns the matching status:
 *  AWL_ERR_OUT_OF_MEMORY, AWL_ERR_NO_DEVICE or AWL_ERR_CUDA. */
awlResult_t cuda_fail(cudaError_t err, const char* what, const char* file, int line);

/** Checks that device exists (AWL_ERR_NO_DEVICE when there is none, AWL_ERR_INVALID_ARG for an
 *  index out of range) without making it current: creates no context. Clears any stale,
 *  non-sticky runtime error first, so that an earlier failure is not blamed on this call. */
awlResult_t check_device(int32_t device);

/** check_device, then makes the device current on the calling thread (cudaSetDevice, which
 *  creates its primary context on first use). */
awlResult_t use_device(int32_t device);

/** Checks an argument buffer: not NULL (unless optional), on device, and holding bytes bytes
 *  from offset (overflow-safe). */
awlResult_t check_buffer(const awl_buffer* b, const char* name, uint64_t offset, uint64_t bytes,
                         int32_t device, bool optional, const char* file, int line);

/** The number of CUDA devices: AWL_ERR_NO_DEVICE when there is none or no usable driver (the
 *  reason in the last error), AWL_ERR_CUDA for any other failure. */
awlResult_t device_count(int* count);

/** Checks the Gaussian's sigma (> 0 and finite as float), window and off_map rule; fn names the
 *  entry point in the message. */
awlResult_t check_gaussian_args(double sigma, int32_t window, int32_t off_map, const char* fn);

/** Checks n, k, h, w > 0 and that n*k*h*w floats fit; writes the pixel count. */
awlResult_t check_shape(int32_t n, int32_t k, int32_t h, int32_t w, uint64_t* pixels,
                        const char* file, int line);

/** Which code of the library the current device runs (cudaFuncGetAttributes of a kernel):
 *  the machine code's architecture and that of the PTX it came from; fails with
 *  cudaErrorNoKernelImageForDevice (or cudaErrorInvalidDeviceFunction) when there is none. */
awlResult_t kernel_code(int32_t* binary_version, int32_t* ptx_version);

/** True when AWL_CUDA_SYNC is set to a non-empty value other than "0": synchronise after every
 *  launch so that execution errors are reported by the launching call. */
bool sync_after_launch();

/** cudaGetLastError after a launch (and a stream synchronisation in AWL_CUDA_SYNC mode). */
awlResult_t after_launch(const char* kernel, cudaStream_t stream, const char* file, int line);

} // namespace awl

#define AWL_FAIL(status, ...) ::awl::fail((status), __FILE__, __LINE__, __VA_ARGS__)

#define AWL_CUDA_TRY(call)                                          \
  do {                                                              \
    const cudaError_t awl_err_ = (call);                            \
    if (awl_err_ != cudaSuccess) {                                  \
      return ::awl::cuda_fail(awl_err_, #call, __FILE__, __LINE__); \
    }                                                               \
  } while (0)

#define AWL_TRY(call)                                   \
  do {                                                  \
    const awlResult_t awl_status_ = (call);             \
    if (awl_status_ != AWL_SUCCESS) return awl_status_; \
  } while (0)

#define AWL_CHECK_BUFFER(b, bytes, device, optional) \
  AWL_TRY(::awl::check_buffer((b), #b, 0, (bytes), (device), (optional), __FILE__, __LINE__))

#define AWL_CHECK_SHAPE(n, k, h, w, pixels) \
  AWL_TRY(::awl::check_shape((n), (k), (h), (w), (pixels), __FILE__, __LINE__))

#define AWL_CHECK_LAUNCH(kernel, stream) \
  AWL_TRY(::awl::after_launch((kernel), (stream), __FILE__, __LINE__))

#endif // AWING_INTERNAL_H_
