import { checkOptions } from "../_validate.ts";
import { join, resolve } from "node:path";
import { parseWflwList } from "../layouts/parse_wflw_list.ts";
import { checkFolder, fileError, readText } from "./_files.ts";
import type { ImageFaceSet } from "./image_face_set.ts";

/** Options of {@linkcode loadWflwFolder}. */
export interface LoadWflwFolderOptions {
  /** The WFLW list, full (`list_98pt_rect_attr_*.txt`) or subset format. */
  readonly list: string;
  /** The image folder the list's paths are relative to (`WFLW_images/`). */
  readonly images: string;
}

/**
 * Loads a WFLW annotation list and checks its images exist in the image folder: the faces'
 * 98 landmarks (as written, 0-based), their boxes when the list is in the full format
 * (`xMin yMin xMax yMax` converted to `x, y, w, h`), and the image path of each face. Needs
 * `--allow-read`.
 *
 * @param options The list file and the image folder.
 * @returns The faces (`numPoints` 98).
 * @throws {Error} One line: the list or folder is missing, the list is malformed (the
 * reader's message, with line number), or an image of the list is not in the folder.
 * @throws {TypeError} If a path is not a non-empty string.
 *
 * @example A one-face list
 * ```ts
 * import { loadWflwFolder } from "@facealign/awing/data";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/images/1--Handshaking`, { recursive: true });
 * await Deno.writeFile(`${dir}/images/1--Handshaking/a.jpg`, new Uint8Array(8));
 * const coords = Array.from({ length: 196 }, (_, i) => String(10 + i)).join(" ");
 * await Deno.writeTextFile(`${dir}/list.txt`, `${coords} 5 6 105 126 0 0 0 0 0 0 1--Handshaking/a.jpg\n`);
 * const set = await loadWflwFolder({ list: `${dir}/list.txt`, images: `${dir}/images` });
 * equal(set.count, 1);
 * deepEqual(Array.from(set.boxes ?? []), [5, 6, 100, 120]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadWflwFolder(options: LoadWflwFolderOptions): Promise<ImageFaceSet> {
  checkOptions(options, "load WFLW list");
  const list = options?.list;
  const action = `load WFLW list "${list}"`;
  if (typeof list !== "string" || list === "") {
    throw new TypeError(`Cannot load WFLW list: "list" must be a non-empty path`);
  }
  const folder = await checkFolder(action, "image folder", options.images);
  const text = await readText(action, "list", list);
  let records;
  try {
    records = parseWflwList(text, { name: list });
  } catch (e) {
    throw new Error(e instanceof Error ? e.message : String(e));
  }
  const images = records.map((r) => join(folder, r.image));
  const seen = new Set<string>();
  for (let i = 0; i < images.length; i++) {
    const path = images[i]!;
    if (seen.has(path)) continue;
    seen.add(path);
    try {
      if (!(await Deno.stat(path)).isFile) throw new Deno.errors.NotFound();
    } catch (e) {
      throw fileError(action, `image of face ${i + 1}`, records[i]!.image, e);
    }
  }
  const landmarks = new Float64Array(records.length * 196);
  records.forEach((r, i) => landmarks.set(r.landmarks, i * 196));
  const full = records.every((r) => r.box !== undefined);
  const boxes = full ? new Float64Array(records.length * 4) : null;
  if (boxes !== null) {
    records.forEach((r, i) => {
      const [x0, y0, x1, y1] = r.box!;
      boxes.set([x0, y0, x1 - x0, y1 - y0], 4 * i);
    });
  }
  const listPath = resolve(list);
  return {
    images,
    landmarks,
    boxes,
    count: records.length,
    numPoints: 98,
    sources: records.map((_, i) => `${listPath} face ${i + 1}`),
  };
}
