// Only the tfjs and train subpaths may pull in TensorFlow.js: every other export's module graph
// is crawled (static and dynamic imports) and must hold no npm package; importing them needs
// no permission.
import { deepEqual, equal, ok } from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { READ } from "./_permissions.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const WITH_TFJS = ["./tfjs", "./train"];

/** The local files reachable from `entry`, and every non-relative specifier they import. */
function crawl(entry: string): { files: Set<string>; external: Set<string> } {
  const files = new Set<string>(), external = new Set<string>();
  const pending = [entry];
  // (`typeof import("...")` is a type: nothing is loaded)
  const pattern = /(?:\bfrom\s*|(?<!\btypeof\s*)\bimport\s*\(?\s*)["']([^"']+)["']/g;
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    // Comments (JSDoc examples import the package by name) are not imports.
    const text = Deno.readTextFileSync(file).replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    for (const [, spec] of text.matchAll(pattern)) {
      if (spec!.startsWith(".")) pending.push(join(dirname(file), spec!));
      else external.add(spec!);
    }
  }
  return { files, external };
}

Deno.test({
  name: `no export but tfjs and train imports TensorFlow.js or any npm package${READ.why}`,
  ignore: READ.ignore,
}, () => {
  const config = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json")));
  const exports = Object.entries(config.exports as Record<string, string>);
  ok(exports.some(([name]) => name === "./tfjs"), "the tfjs export exists");
  const tfjs = crawl(join(ROOT, config.exports["./tfjs"]));
  ok([...tfjs.external].some((s) => s.includes("tensorflow")), "the crawler sees tfjs imports");
  for (const [name, path] of exports) {
    if (WITH_TFJS.includes(name)) continue;
    const { files, external } = crawl(join(ROOT, path));
    const local = [...files].map((f) => relative(ROOT, f));
    ok(!local.some((f) => f.startsWith("src/tfjs/") || f.startsWith("src/train/")), name);
    // Only the runtime's own modules (node: built-ins): no npm package, no import-map name.
    deepEqual([...external].filter((s) => !s.startsWith("node:")), [], `${name} imports`);
  }
});

Deno.test({
  name:
    `a task downloads only what its script imports: no default lockfile, big packages inline${READ.why}`,
  ignore: READ.ignore,
}, () => {
  // Before any script runs, Deno installs every npm package of deno.json's import map and of
  // the lockfile in use: deno.json names no lockfile and imports only the small image codecs,
  // TensorFlow.js (95 MB), vega and the PNG renderer are imported inline (npm:name@version),
  // and only the tasks that need TensorFlow.js use deno.lock.
  const config = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json")));
  equal(config.lock, false);
  const big = /tensorflow|vega|resvg|dejavu/;
  deepEqual(Object.keys(config.imports).filter((name) => big.test(name)), [], "import map");
  const locked = Object.entries(config.tasks as Record<string, { command: string }>)
    .filter(([, task]) => task.command.includes("--lock=deno.lock")).map(([name]) => name);
  deepEqual(locked.sort(), ["ablation", "bench", "predict", "test", "train"]);
  for (const script of ["curves", "evaluate", "render_faces"]) {
    const { external } = crawl(join(ROOT, "scripts", `${script}.ts`));
    deepEqual([...external].filter((s) => /tensorflow|resvg|dejavu/.test(s)), [], script);
  }
});

Deno.test({
  name: `importing mod.ts and the other subpaths needs no permission${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  // The literal imports below (so that they load without read permission) cover every export.
  const config = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json")));
  deepEqual(
    Object.entries(config.exports as Record<string, string>)
      .filter(([name]) => !WITH_TFJS.includes(name)).map(([, path]) => path),
    [
      "./mod.ts",
      "./src/loss/mod.ts",
      "./src/heatmap/mod.ts",
      "./src/decode/mod.ts",
      "./src/metrics/mod.ts",
      "./src/layouts/mod.ts",
      "./src/gpu/mod.ts",
      "./src/reference/mod.ts",
      "./src/data/mod.ts",
    ],
  );
  for (const name of ["read", "write", "net", "env", "run", "ffi", "sys"] as const) {
    await Deno.permissions.revoke({ name });
  }
  const modules = await Promise.all([
    import("../mod.ts"),
    import("../src/loss/mod.ts"),
    import("../src/heatmap/mod.ts"),
    import("../src/decode/mod.ts"),
    import("../src/metrics/mod.ts"),
    import("../src/layouts/mod.ts"),
    import("../src/gpu/mod.ts"),
    import("../src/reference/mod.ts"),
    import("../src/data/mod.ts"),
  ]);
  ok(modules.every((m) => Object.keys(m).length > 0));
});
