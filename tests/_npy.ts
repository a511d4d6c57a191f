// Writes .npy files the way NumPy's np.save does (format 1.0, or 2.0 on request), for the
// reader's tests.

/** Options of {@link npyBytes}: the header fields as NumPy writes them. */
export interface NpyWriteOptions {
  descr?: string;
  fortran?: boolean;
  version?: 1 | 2;
  /** Raw header dict text, replacing the generated one. */
  header?: string;
}

/** The bytes of a .npy file holding `values` with `shape`. */
export function npyBytes(
  values: ArrayLike<number>,
  shape: readonly number[],
  options: NpyWriteOptions = {},
): Uint8Array {
  const { descr = "<f4", fortran = false, version = 1 } = options;
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = options.header ??
    `{'descr': '${descr}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': ${tuple}, }`;
  const prefix = version === 1 ? 10 : 12;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const header = new TextEncoder().encode(dict.padEnd(total - prefix - 1, " ") + "\n");
  const size = descr.endsWith("8") ? 8 : 4;
  const out = new Uint8Array(total + values.length * size);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, prefix);
  const little = !descr.startsWith(">");
  for (let i = 0; i < values.length; i++) {
    if (size === 8) view.setFloat64(total + 8 * i, values[i]!, little);
    else view.setFloat32(total + 4 * i, values[i]!, little);
  }
  return out;
}
