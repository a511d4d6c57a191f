// Importing the tfjs subpath and running ops prints nothing of TensorFlow.js's own: no
// "Hi, looks like you are running TensorFlow.js in Node.js" banner from the cpu backend's first
// tensor, on either backend. Run in a fresh process, since the banner comes once per process.
import { equal } from "node:assert/strict";
import { needs } from "./_permissions.ts";

const ROOT = new URL("..", import.meta.url);
const RUN = needs("read", "run");

const SCRIPT = `
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { tfMseLoss, useWasmBackend } from "${new URL("src/tfjs/mod.ts", ROOT)}";

const loss = () => tfMseLoss(tf.ones([1, 4, 4, 2]), tf.zeros([1, 4, 4, 2])).dataSync()[0];
console.log(loss(), tf.getBackend());
await useWasmBackend();
console.log(loss(), tf.getBackend());
`;

Deno.test({
  name: `the tfjs subpath prints no TensorFlow.js banner on cpu and wasm${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-read", "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(SCRIPT));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  equal(decode(stderr), "");
  equal(decode(stdout), "1 cpu\n1 wasm\n");
  equal(code, 0);
});
