// The library's status codes (`awlResult_t` in src/cuda/awing.h): the one table that STATUS
// and CudaError read (tests/abi_test.ts compares it with the header).

/** Each status: its key in {@link STATUS} and its C name, at the index of its code. */
export const STATUSES = [
  ["success", "AWL_SUCCESS"],
  ["invalidArg", "AWL_ERR_INVALID_ARG"],
  ["noDevice", "AWL_ERR_NO_DEVICE"],
  ["outOfMemory", "AWL_ERR_OUT_OF_MEMORY"],
  ["cuda", "AWL_ERR_CUDA"],
  ["internal", "AWL_ERR_INTERNAL"],
] as const;

/** Status codes by key. */
export const STATUS = Object.fromEntries(
  STATUSES.map(([key], code) => [key, code]),
) as { readonly [K in (typeof STATUSES)[number][0]]: number };

/** The C name of a status code, such as `"AWL_ERR_CUDA"`. */
export function statusName(code: number): string {
  return STATUSES[code]?.[1] ?? `AWL_STATUS_${code}`;
}
