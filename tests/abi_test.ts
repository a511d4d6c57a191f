// The FFI bridge against the C header it binds: every prototype of src/cuda/awing.h against
// the symbol table of src/gpu/_ffi.ts (names, arity, parameter and result types), and the
// header's enums and ABI revision against the bridge's tables. Needs no GPU and no library:
// a changed header fails here, on any machine.
import { deepEqual, equal, ok } from "node:assert/strict";
import { ABI_VERSION, OFF_MAP, SYMBOLS, WINDOW } from "../src/gpu/_ffi.ts";
import { STATUSES } from "../src/gpu/_status.ts";
import { READ } from "./_permissions.ts";

const HEADER = READ.ignore
  ? ""
  : Deno.readTextFileSync(new URL("../src/cuda/awing.h", import.meta.url));
const RUNTIME = READ.ignore
  ? ""
  : Deno.readTextFileSync(new URL("../src/cuda/runtime.cu", import.meta.url));

/** Functions of the C API the bridge does not bind, and why. */
const C_ONLY: Record<string, string> = {
  awl_synchronize: "the bridge waits through awl_copy_dtoh, which follows the stream's work",
  awl_buffer_info: "the bridge keeps each buffer's size and device itself",
};

type FfiType = Deno.NativeResultType;

/** The FFI types a C type may be bound as. */
function ffiTypes(cType: string): readonly FfiType[] {
  if (cType.includes("*") || cType === "awl_stream_t") return ["pointer", "buffer"];
  const scalar: Record<string, FfiType> = {
    int32_t: "i32",
    awlResult_t: "i32",
    uint64_t: "u64",
    float: "f32",
    double: "f64",
  };
  const t = scalar[cType];
  if (t === undefined) throw new Error(`awing.h: no FFI type for the C type "${cType}"`);
  return [t];
}

interface Prototype {
  result: string;
  params: { type: string; name: string }[];
}

/** The `AWL_API` prototypes of the header, by function name. */
function prototypes(header: string): Map<string, Prototype> {
  const found = new Map<string, Prototype>();
  const re = /AWL_API\s+([\w\s*]+?)\s*\b(awl_\w+)\s*\(([^)]*)\)\s*;/g;
  for (const [, result, name, list] of header.matchAll(re)) {
    const text = list!.replace(/\s+/g, " ").trim();
    const params = text === "void" ? [] : text.split(",").map((p) => {
      const m = /^(.*?)\s*\b(\w+)$/.exec(p.trim())!;
      return { type: m[1]!.replace(/\s*\*/g, "*").replace(/^const /, ""), name: m[2]! };
    });
    found.set(name!, { result: result!.replace(/\s*\*/g, "*").trim(), params });
  }
  return found;
}

/** The `NAME = value` entries of the header's `typedef enum { ... } name;`. */
function enumEntries(header: string, name: string): Map<string, number> {
  const body = new RegExp(`typedef enum \\{([^}]*)\\} ${name};`).exec(header)?.[1];
  ok(body !== undefined, `awing.h has no enum ${name}`);
  const entries = new Map<string, number>();
  for (const [, key, value] of body.matchAll(/(AWL_\w+)\s*=\s*(\d+)/g)) {
    entries.set(key!, Number(value));
  }
  return entries;
}

Deno.test({
  name: `the symbol table binds every prototype of awing.h, with its arity and types${READ.why}`,
  ignore: READ.ignore,
}, () => {
  const protos = prototypes(HEADER);
  ok(protos.size >= 20, `only ${protos.size} prototypes parsed`);
  const bound = Object.keys(SYMBOLS).sort();
  deepEqual(bound, [...protos.keys()].filter((n) => !(n in C_ONLY)).sort());
  for (const n of Object.keys(C_ONLY)) ok(protos.has(n), `${n} is not in awing.h`);
  for (const [name, symbol] of Object.entries(SYMBOLS)) {
    const proto = protos.get(name)!;
    const params: readonly string[] = symbol.parameters;
    equal(params.length, proto.params.length, `${name}: arity`);
    proto.params.forEach((p, i) => {
      ok(
        ffiTypes(p.type).includes(params[i] as FfiType),
        `${name}: parameter ${i} (${p.type} ${p.name}) is bound as "${params[i]}"`,
      );
    });
    ok(
      ffiTypes(proto.result).includes(symbol.result),
      `${name}: result ${proto.result} is bound as "${symbol.result}"`,
    );
  }
});

Deno.test({
  name: `status codes, windows, off-map rules and the ABI revision match awing.h${READ.why}`,
  ignore: READ.ignore,
}, () => {
  const results = enumEntries(HEADER, "awlResult_t");
  results.delete("AWL_NUM_RESULTS");
  deepEqual(results, new Map(STATUSES.map(([, cName], code) => [cName, code])));
  const windows = enumEntries(HEADER, "awlWindow_t");
  deepEqual(
    windows,
    new Map(Object.entries(WINDOW).map(([k, v]) => [`AWL_WINDOW_${k.toUpperCase()}`, v])),
  );
  const offMap = enumEntries(HEADER, "awlOffMap_t");
  deepEqual(
    offMap,
    new Map(Object.entries(OFF_MAP).map(([k, v]) => [`AWL_OFF_MAP_${k.toUpperCase()}`, v])),
  );
  equal(Number(/#define AWL_ABI_VERSION (\d+)/.exec(HEADER)?.[1]), ABI_VERSION);
});

/** The body of the C function `name` in `source` (from its opening brace), or undefined. */
function functionBody(source: string, name: string): string | undefined {
  const start = new RegExp(`\\b${name}\\s*\\([^;{]*\\)\\s*\\{`).exec(source);
  if (start === null) return undefined;
  let depth = 0;
  for (let i = start.index + start[0].length - 1; i < source.length; i++) {
    if (source[i] === "{") depth++;
    if (source[i] === "}" && --depth === 0) return source.slice(start.index, i + 1);
  }
  return undefined;
}

/** CUDA runtime calls that make a device current, create its context or use it. */
const CONTEXT_CALLS =
  /\b(use_device|cudaSetDevice|cudaMemGetInfo|cudaMalloc\w*|cudaFree\w*|cudaMemset\w*|cudaMemcpy\w*|cudaStream\w*|cudaEvent\w*|cudaFuncGetAttributes|cudaDeviceSynchronize|kernel_code)\s*\(/;

Deno.test({
  name: `listing devices calls nothing that creates a CUDA context (runtime.cu)${READ.why}`,
  ignore: READ.ignore,
}, () => {
  // the entry points that list devices, and every function of runtime.cu they reach
  const todo = ["awl_device_count", "awl_device_properties", "awl_build_targets"];
  const seen = new Set<string>();
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const body = functionBody(RUNTIME, name);
    ok(body !== undefined, `runtime.cu defines ${name}`);
    const bad = CONTEXT_CALLS.exec(body);
    equal(bad?.[1], undefined, `${name} calls ${bad?.[1]}, which uses a context`);
    for (const [, callee] of body.slice(body.indexOf("{")).matchAll(/\b(\w+)\s*\(/g)) {
      if (functionBody(RUNTIME, callee!) !== undefined) todo.push(callee!);
    }
  }
  for (const helper of ["check_device", "device_count", "cuda_fail"]) {
    ok(seen.has(helper), `the check reaches ${helper}`);
  }
  // and the check would see a context: the calls that use a device are caught
  for (const name of ["awl_device_init", "awl_buffer_alloc", "use_device"]) {
    ok(CONTEXT_CALLS.test(functionBody(RUNTIME, name)!), name);
  }
});
