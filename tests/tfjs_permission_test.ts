// useWasmBackend without read permission on the npm cache: a clear error, not tfjs' silent
// `false`. Alone in its file: it revokes this test module's read permission.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { equal, ok, rejects } from "node:assert/strict";
import { useWasmBackend } from "../src/tfjs/mod.ts";

Deno.test("useWasmBackend names the missing read permission", async () => {
  const folder = decodeURIComponent(
    new URL(".", import.meta.resolve("npm:@tensorflow/tfjs-backend-wasm@4.22.0")).pathname,
  );
  await Deno.permissions.revoke({ name: "read" });
  await rejects(useWasmBackend(), (error: unknown) => {
    ok(error instanceof Deno.errors.NotCapable, String(error));
    ok(error.message.includes(`read permission on "${folder}"`), error.message);
    ok(error.message.includes("--allow-read"), error.message);
    return true;
  });
  // Nothing was switched: ops still run, on the default backend.
  equal(tf.add(1, 2).dataSync()[0], 3);
  equal(tf.getBackend(), "cpu");
});
