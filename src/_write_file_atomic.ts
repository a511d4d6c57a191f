// One atomic write for every output file of awing's tasks and training pipeline.
import { basename, dirname, join } from "node:path";

let tempCount = 0;

/**
 * Writes `data` to `path` atomically: into a hidden temporary file in the same folder (created
 * anew, never an existing file or link), then renamed over `path`, so that a reader (or a
 * crash) sees the old file or the new one, never a part of it. The folder must exist.
 */
export async function _writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${Deno.pid}-${tempCount++}`);
  try {
    if (typeof data === "string") await Deno.writeTextFile(temp, data, { createNew: true });
    else await Deno.writeFile(temp, data, { createNew: true });
    await Deno.rename(temp, path);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw e;
  }
}
