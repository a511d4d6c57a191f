/*************************************************************************
 * awing: errors, devices, buffers, copies and timers of the C ABI (awing.h).
 ************************************************************************/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <new>

#include "_internal.h"

// The targets the build compiled for, from scripts/build_cuda.ts: -DAWL_TARGETS=sm_75+sm_80...
// (a preprocessor token list, '+' between targets, turned into text here).
#define AWL_STR2_(x) #x
#define AWL_STR_(x) AWL_STR2_(x)
#ifdef AWL_TARGETS
#define AWL_TARGETS_TEXT AWL_STR_(AWL_TARGETS)
#else
#define AWL_TARGETS_TEXT ""
#endif

namespace {

thread_local char t_last_error[1024] = "no error";

const char* base_name(const char* path) {
  const char* slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

bool is_no_device(cudaError_t err) {
  switch (err) {
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver:
    case cudaErrorSystemDriverMismatch:
    case cudaErrorCompatNotSupportedOnDevice:
    case cudaErrorInitializationError:
      return true;
    default:
      return false;
  }
}

} // namespace

namespace awl {

awlResult_t fail(awlResult_t status, const char* file, int line, const char* fmt, ...) {
  char text[sizeof(t_last_error)];
  va_list args;
  va_start(args, fmt);
  vsnprintf(text, sizeof(text), fmt, args);
  va_end(args);
  snprintf(t_last_error, sizeof(t_last_error), "%.900s (%.80s:%d)", text, base_name(file), line);
  return status;
}

awlResult_t cuda_fail(cudaError_t err, const char* what, const char* file, int line) {
  (void)cudaGetLastError(); // clear the runtime's error state (sticky errors stay)
  awlResult_t status = AWL_ERR_CUDA;
  if (err == cudaErrorMemoryAllocation)
    status = AWL_ERR_OUT_OF_MEMORY;
  else if (is_no_device(err))
    status = AWL_ERR_NO_DEVICE;
  return fail(status, file, line, "%s%s failed: %s: %s",
              status == AWL_ERR_NO_DEVICE ? "no CUDA device: " : "", what, cudaGetErrorName(err),
              cudaGetErrorString(err));
}

awlResult_t device_count(int* count) {
  *count = 0;
  const cudaError_t err = cudaGetDeviceCount(count);
  if (err != cudaSuccess) {
    *count = 0;
    const awlResult_t s = cuda_fail(err, "cudaGetDeviceCount", __FILE__, __LINE__);
    return s == AWL_ERR_CUDA ? s : AWL_ERR_NO_DEVICE;
  }
  if (*count <= 0) {
    *count = 0;
    return AWL_FAIL(AWL_ERR_NO_DEVICE, "no CUDA device: cudaGetDeviceCount reported 0 devices");
  }
  return AWL_SUCCESS;
}

awlResult_t check_device(int32_t device) {
  (void)cudaGetLastError(); // a stale error of an earlier call is not this call's
  int count = 0;
  AWL_TRY(device_count(&count));
  if (device < 0 || device >= count) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "device %d does not exist: there are %d device(s)",
                    (int)device, count);
  }
  return AWL_SUCCESS;
}

awlResult_t use_device(int32_t device) {
  AWL_TRY(check_device(device));
  AWL_CUDA_TRY(cudaSetDevice(device));
  return AWL_SUCCESS;
}

awlResult_t check_buffer(const awl_buffer* b, const char* name, uint64_t offset, uint64_t bytes,
                         int32_t device, bool optional, const char* file, int line) {
  if (b == nullptr) {
    if (optional) return AWL_SUCCESS;
    return fail(AWL_ERR_INVALID_ARG, file, line, "buffer \"%s\" is NULL", name);
  }
  if (b->device != device) {
    return fail(AWL_ERR_INVALID_ARG, file, line,
                "buffer \"%s\" lives on device %d but the call runs on device %d", name,
                (int)b->device, (int)device);
  }
  if (offset > b->bytes || bytes > b->bytes - offset) {
    return fail(AWL_ERR_INVALID_ARG, file, line,
                "buffer \"%s\" has %llu bytes but the call needs %llu from offset %llu", name,
                (unsigned long long)b->bytes, (unsigned long long)bytes,
                (unsigned long long)offset);
  }
  return AWL_SUCCESS;
}

awlResult_t check_gaussian_args(double sigma, int32_t window, int32_t off_map, const char* fn) {
  if (!((float)sigma > 0.0f && isfinite((float)sigma))) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "%s: sigma must be > 0: it is %g", fn, sigma);
  }
  if (window != AWL_WINDOW_3SIGMA && window != AWL_WINDOW_FULL) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "%s: unknown window %d", fn, (int)window);
  }
  if (off_map != AWL_OFF_MAP_PARTIAL && off_map != AWL_OFF_MAP_EMPTY) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "%s: unknown off_map %d", fn, (int)off_map);
  }
  return AWL_SUCCESS;
}

awlResult_t check_shape(int32_t n, int32_t k, int32_t h, int32_t w, uint64_t* pixels,
                        const char* file, int line) {
  if (n <= 0 || k <= 0 || h <= 0 || w <= 0) {
    return fail(AWL_ERR_INVALID_ARG, file, line, "shape [%d, %d, %d, %d] must hold positive sizes",
                (int)n, (int)k, (int)h, (int)w);
  }
  const uint64_t limit = (uint64_t)1 << 60; // bytes of one f32 array must fit in 64 bits
  uint64_t p = (uint64_t)n * (uint64_t)k;   // < 2^62
  bool fits = p <= limit / (uint64_t)h;
  if (fits) {
    p *= (uint64_t)h;
    fits = p <= limit / (uint64_t)w;
  }
  if (!fits) {
    return fail(AWL_ERR_INVALID_ARG, file, line, "shape [%d, %d, %d, %d] is too large", (int)n,
                (int)k, (int)h, (int)w);
  }
  *pixels = p * (uint64_t)w;
  return AWL_SUCCESS;
}

bool sync_after_launch() {
  static const bool on = [] {
    const char* v = getenv("AWL_CUDA_SYNC");
    return v != nullptr && v[0] != '\0' && strcmp(v, "0") != 0;
  }();
  return on;
}

awlResult_t after_launch(const char* kernel, cudaStream_t stream, const char* file, int line) {
  cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) return cuda_fail(err, kernel, file, line);
  if (sync_after_launch()) {
    err = cudaStreamSynchronize(stream);
    if (err != cudaSuccess) return cuda_fail(err, kernel, file, line);
  }
  return AWL_SUCCESS;
}

} // namespace awl

using awl::cuda_fail;
using awl::use_device;

extern "C" {

AWL_API const char* awl_get_error_string(awlResult_t status) {
  switch (status) {
    case AWL_SUCCESS:
      return "no error";
    case AWL_ERR_INVALID_ARG:
      return "invalid argument";
    case AWL_ERR_NO_DEVICE:
      return "no CUDA device";
    case AWL_ERR_OUT_OF_MEMORY:
      return "out of device memory";
    case AWL_ERR_CUDA:
      return "CUDA error";
    case AWL_ERR_INTERNAL:
      return "internal error";
    default:
      return "unknown status";
  }
}

AWL_API const char* awl_get_last_error(void) { return t_last_error; }

AWL_API awlResult_t awl_get_version(int32_t* version, int32_t* abi) {
  if (version == nullptr || abi == nullptr) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_get_version: NULL out-parameter");
  }
  *version = AWL_VERSION_CODE;
  *abi = AWL_ABI_VERSION;
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_device_count(int32_t* count) {
  if (count == nullptr) return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_device_count: count is NULL");
  int c = 0;
  const awlResult_t status = awl::device_count(&c);
  *count = c;
  return status;
}

AWL_API awlResult_t awl_device_properties(int32_t device, char* name, int32_t capacity,
                                          int32_t* major, int32_t* minor, int32_t* compute_mode,
                                          uint64_t* total_bytes) {
  if (name == nullptr || capacity <= 0 || major == nullptr || minor == nullptr ||
      compute_mode == nullptr || total_bytes == nullptr) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_device_properties: NULL out-parameter or no room");
  }
  name[0] = '\0';
  AWL_TRY(awl::check_device(device));
  // no cudaSetDevice, no allocation: reading properties and attributes creates no context
  cudaDeviceProp prop;
  AWL_CUDA_TRY(cudaGetDeviceProperties(&prop, device));
  snprintf(name, (size_t)capacity, "%s", prop.name);
  int mode = 0;
  AWL_CUDA_TRY(cudaDeviceGetAttribute(&mode, cudaDevAttrComputeMode, device));
  *major = prop.major;
  *minor = prop.minor;
  *compute_mode = mode;
  *total_bytes = prop.totalGlobalMem;
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_build_targets(char* text, int32_t capacity) {
  if (text == nullptr || capacity <= 0) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_build_targets: no room for the text");
  }
  snprintf(text, (size_t)capacity, "%s", AWL_TARGETS_TEXT);
  for (char* c = text; *c != '\0'; ++c) {
    if (*c == '+') *c = ' ';
  }
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_device_init(int32_t device, uint64_t* free_bytes, uint64_t* total_bytes,
                                    int32_t* binary_version, int32_t* ptx_version) {
  if (free_bytes == nullptr || total_bytes == nullptr || binary_version == nullptr ||
      ptx_version == nullptr) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_device_init: NULL out-parameter");
  }
  AWL_TRY(use_device(device)); // creates the primary context: fails when the device is busy
  size_t f = 0, t = 0;
  AWL_CUDA_TRY(cudaMemGetInfo(&f, &t));
  *free_bytes = f;
  *total_bytes = t;
  return awl::kernel_code(binary_version, ptx_version);
}

AWL_API awlResult_t awl_stream_create(int32_t device, awl_stream_t* out) {
  if (out == nullptr) return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_stream_create: out is NULL");
  *out = nullptr;
  AWL_TRY(use_device(device));
  cudaStream_t s = nullptr;
  AWL_CUDA_TRY(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  *out = (awl_stream_t)s;
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_stream_destroy(int32_t device, awl_stream_t stream) {
  if (stream == nullptr) return AWL_SUCCESS;
  AWL_TRY(use_device(device));
  AWL_CUDA_TRY(cudaStreamDestroy((cudaStream_t)stream));
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_synchronize(int32_t device, awl_stream_t stream) {
  AWL_TRY(use_device(device));
  AWL_CUDA_TRY(cudaStreamSynchronize((cudaStream_t)stream));
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_buffer_alloc(uint64_t bytes, awl_buffer** out, int32_t device) {
  if (out == nullptr) return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_buffer_alloc: out is NULL");
  *out = nullptr;
  AWL_TRY(use_device(device));
  void* ptr = nullptr;
  if (bytes > 0) {
    const cudaError_t err = cudaMalloc(&ptr, (size_t)bytes);
    if (err != cudaSuccess) {
      (void)cudaGetLastError();
      size_t f = 0, t = 0;
      (void)cudaMemGetInfo(&f, &t);
      (void)cudaGetLastError();
      const awlResult_t status =
          err == cudaErrorMemoryAllocation ? AWL_ERR_OUT_OF_MEMORY : AWL_ERR_CUDA;
      return AWL_FAIL(status,
                      "cudaMalloc of %llu bytes on device %d failed: %s: %s (device memory: "
                      "%llu bytes free of %llu)",
                      (unsigned long long)bytes, (int)device, cudaGetErrorName(err),
                      cudaGetErrorString(err), (unsigned long long)f, (unsigned long long)t);
    }
  }
  awl_buffer* b = new (std::nothrow) awl_buffer{ptr, bytes, device};
  if (b == nullptr) {
    if (ptr != nullptr) (void)cudaFree(ptr);
    return AWL_FAIL(AWL_ERR_INTERNAL, "awl_buffer_alloc: host allocation of a handle failed");
  }
  *out = b;
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_buffer_free(awl_buffer* buffer) {
  if (buffer == nullptr) return AWL_SUCCESS;
  awlResult_t status = AWL_SUCCESS;
  if (buffer->ptr != nullptr) {
    status = use_device(buffer->device);
    if (status == AWL_SUCCESS) {
      const cudaError_t err = cudaFree(buffer->ptr);
      if (err != cudaSuccess) status = cuda_fail(err, "cudaFree", __FILE__, __LINE__);
    }
  }
  delete buffer; // the handle goes either way: it must not be freed twice
  return status;
}

AWL_API awlResult_t awl_buffer_zero(awl_buffer* buffer, uint64_t offset, uint64_t bytes,
                                    int32_t device, awl_stream_t stream) {
  AWL_TRY(awl::check_buffer(buffer, "buffer", offset, bytes, device, false, __FILE__, __LINE__));
  if (bytes == 0) return AWL_SUCCESS;
  AWL_TRY(use_device(device));
  AWL_CUDA_TRY(
      cudaMemsetAsync((char*)buffer->ptr + offset, 0, (size_t)bytes, (cudaStream_t)stream));
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_buffer_info(const awl_buffer* buffer, uint64_t* bytes, int32_t* device) {
  if (buffer == nullptr || bytes == nullptr || device == nullptr) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_buffer_info: NULL argument");
  }
  *bytes = buffer->bytes;
  *device = buffer->device;
  return AWL_SUCCESS;
}

/** A synchronous copy between host memory and bytes of buffer b from offset, both checked;
 *  fn and the names say which argument is wrong. */
static awlResult_t copy_sync(const awl_buffer* b, const char* b_name, uint64_t offset,
                             const void* host, const char* host_name, uint64_t bytes,
                             int32_t device, awl_stream_t stream, cudaMemcpyKind kind,
                             const char* fn) {
  AWL_TRY(awl::check_buffer(b, b_name, offset, bytes, device, false, __FILE__, __LINE__));
  if (bytes == 0) return AWL_SUCCESS;
  if (host == nullptr) return AWL_FAIL(AWL_ERR_INVALID_ARG, "%s: %s is NULL", fn, host_name);
  AWL_TRY(use_device(device));
  const cudaStream_t s = (cudaStream_t)stream;
  char* dev = (char*)b->ptr + offset;
  const bool to_device = kind == cudaMemcpyHostToDevice;
  void* dst = to_device ? (void*)dev : (void*)host;
  const void* src = to_device ? host : (const void*)dev;
  AWL_CUDA_TRY(cudaMemcpyAsync(dst, src, (size_t)bytes, kind, s));
  AWL_CUDA_TRY(cudaStreamSynchronize(s));
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_copy_htod(awl_buffer* dst, uint64_t dst_offset, const void* src,
                                  uint64_t bytes, int32_t device, awl_stream_t stream) {
  return copy_sync(dst, "dst", dst_offset, src, "src", bytes, device, stream,
                   cudaMemcpyHostToDevice, "awl_copy_htod");
}

AWL_API awlResult_t awl_copy_dtoh(void* dst, const awl_buffer* src, uint64_t src_offset,
                                  uint64_t bytes, int32_t device, awl_stream_t stream) {
  return copy_sync(src, "src", src_offset, dst, "dst", bytes, device, stream,
                   cudaMemcpyDeviceToHost, "awl_copy_dtoh");
}

AWL_API awlResult_t awl_timer_create(awl_timer** out, int32_t device) {
  if (out == nullptr) return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_timer_create: out is NULL");
  *out = nullptr;
  AWL_TRY(use_device(device));
  cudaEvent_t a = nullptr, b = nullptr;
  AWL_CUDA_TRY(cudaEventCreate(&a));
  const cudaError_t err = cudaEventCreate(&b);
  if (err != cudaSuccess) {
    (void)cudaEventDestroy(a);
    return cuda_fail(err, "cudaEventCreate", __FILE__, __LINE__);
  }
  awl_timer* t = new (std::nothrow) awl_timer{a, b, device};
  if (t == nullptr) {
    (void)cudaEventDestroy(a);
    (void)cudaEventDestroy(b);
    return AWL_FAIL(AWL_ERR_INTERNAL, "awl_timer_create: host allocation of a handle failed");
  }
  *out = t;
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_timer_start(awl_timer* timer, awl_stream_t stream) {
  if (timer == nullptr) return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_timer_start: timer is NULL");
  AWL_TRY(use_device(timer->device));
  AWL_CUDA_TRY(cudaEventRecord(timer->start, (cudaStream_t)stream));
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_timer_stop(awl_timer* timer, awl_stream_t stream, float* ms) {
  if (timer == nullptr || ms == nullptr) {
    return AWL_FAIL(AWL_ERR_INVALID_ARG, "awl_timer_stop: NULL argument");
  }
  AWL_TRY(use_device(timer->device));
  AWL_CUDA_TRY(cudaEventRecord(timer->stop, (cudaStream_t)stream));
  AWL_CUDA_TRY(cudaEventSynchronize(timer->stop));
  AWL_CUDA_TRY(cudaEventElapsedTime(ms, timer->start, timer->stop));
  return AWL_SUCCESS;
}

AWL_API awlResult_t awl_timer_destroy(awl_timer* timer) {
  if (timer == nullptr) return AWL_SUCCESS;
  awlResult_t status = use_device(timer->device);
  if (status == AWL_SUCCESS) {
    cudaError_t err = cudaEventDestroy(timer->start);
    const cudaError_t err2 = cudaEventDestroy(timer->stop);
    if (err == cudaSuccess) err = err2;
    if (err != cudaSuccess) status = cuda_fail(err, "cudaEventDestroy", __FILE__, __LINE__);
  }
  delete timer;
  return status;
}

} // extern "C"
