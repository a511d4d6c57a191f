// The TypeScript mirror of the WASM core's exports (WasmCore, KIND, HALO in src/_wasm.ts)
// against the built module: names, kinds, function arities and the constants' values.
import { deepEqual, equal } from "node:assert/strict";
import { HALO, KIND, wasm, type WasmCore } from "../src/_wasm.ts";
import { WASM_BASE64 } from "../src/_wasm_bytes.ts";

/** Per export of WasmCore: its arity, or what kind of non-function export it is. */
type Shape = {
  [K in keyof WasmCore]: WasmCore[K] extends (...args: infer A) => unknown ? A["length"]
    : WasmCore[K] extends WebAssembly.Memory ? "memory"
    : WasmCore[K] extends WebAssembly.Global ? "global"
    : never;
};

// Type-checked against WasmCore: a name missing or extra, or an arity that differs from the
// interface's, fails `deno check` (and so this test) before anything runs.
const SHAPE: Shape = {
  memory: "memory",
  KIND_AWING: "global",
  KIND_MSE: "global",
  KIND_L1: "global",
  KIND_WING: "global",
  KIND_SOFT_WING: "global",
  heap_base: 0,
  set_loss: 5,
  HALO_ABOVE: "global",
  HALO_BELOW: "global",
  loss_batch: 14,
  check_out: 0,
  weight_maps: 10,
  scratch_floats: 3,
  math_f32: 4,
  gauss_channels: 7,
  argmax_channels: 4,
  blur_channel: 7,
  blur_block5: 9,
  softargmax_channels: 7,
};

function moduleExports(): WebAssembly.ModuleExportDescriptor[] {
  const bytes = Uint8Array.from(atob(WASM_BASE64), (c) => c.charCodeAt(0));
  return WebAssembly.Module.exports(new WebAssembly.Module(bytes));
}

Deno.test("WasmCore names every export of the module, with its kind and arity", () => {
  const instance = wasm() as unknown as Record<string, unknown>;
  const built: Record<string, number | string> = {};
  for (const { name, kind } of moduleExports()) {
    built[name] = kind === "function"
      ? (instance[name] as (...a: never[]) => unknown).length
      : kind;
  }
  const sorted = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort());
  deepEqual(sorted(built), sorted(SHAPE));
});

Deno.test("KIND and HALO hold the values of the module's KIND_* and HALO_* globals", () => {
  const instance = wasm() as unknown as Record<string, unknown>;
  for (const [prefix, mirror] of [["KIND_", KIND], ["HALO_", HALO]] as const) {
    const globals: Record<string, number> = {};
    for (const { name, kind } of moduleExports()) {
      if (kind === "global" && name.startsWith(prefix)) {
        globals[name] = (instance[name] as WebAssembly.Global).value;
      }
    }
    const mirrored = Object.fromEntries(
      Object.entries(mirror).map(([key, value]) => [
        `${prefix}${key.replace(/[A-Z]/g, "_$&").toUpperCase()}`,
        value,
      ]),
    );
    deepEqual(globals, mirrored);
    const values = Object.values(mirror) as number[];
    equal(new Set(values).size, values.length, `${prefix} values are distinct`);
  }
});
