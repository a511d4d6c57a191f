import { checkOptions } from "../_validate.ts";
import { extname, join } from "node:path";
import { checkFolder, fileError, folderAction, readFacePts } from "./_files.ts";
import type { ImageFaceSet } from "./image_face_set.ts";

/** Options of {@linkcode loadPtsFolder}. */
export interface LoadPtsFolderOptions {
  /**
   * Index origin of the `.pts` values: 1 (default) for the 300W / iBUG files, whose top-left
   * pixel centre is (1, 1); the landmarks are returned 0-based. 0 takes them as written.
   */
  readonly origin?: 0 | 1;
  /** Expected points per face; by default the first file's `n_points`, and all must agree. */
  readonly numPoints?: number;
  /**
   * Also look in sub-folders, at any depth (e.g. 300W's `01_Indoor/` and `02_Outdoor/`, or
   * `lfpw/trainset/`); each `.pts` must still sit beside its image. Default false.
   */
  readonly recursive?: boolean;
}

const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png"];

/**
 * Loads a folder of face images with their landmarks beside them in the 300W layout: for each
 * `name.jpg`, `name.jpeg` or `name.png` the file `name.pts` holds its face (one face per
 * image, as in 300W, where a multi-face photo is one copy per face), optionally in
 * sub-folders too. Images are sorted by path; pixels are read later, by the batch source.
 * Needs `--allow-read`.
 *
 * @param dir The folder.
 * @param options Coordinate origin, expected number of points, sub-folders.
 * @returns The faces: image paths (absolute), landmarks `[N, K, 2]` (0-based with the default
 * origin), no boxes.
 * @throws {Error} One line, naming the file: the folder is missing or not a folder, it holds
 * no image, an image has no `.pts` beside it, a `.pts` has no image, a `.pts` is malformed
 * (the reader's message, with line number) or the files disagree on the number of points.
 * @throws {TypeError} If `dir` is not a non-empty string.
 *
 * @example A folder with one image and its landmarks
 * ```ts
 * import { loadPtsFolder } from "@facealign/awing/data";
 * import { equal } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/face.png`, new Uint8Array(8)); // pixels are read later
 * await Deno.writeTextFile(`${dir}/face.pts`, "version: 1\nn_points: 2\n{\n11 21\n31 41\n}\n");
 * const set = await loadPtsFolder(dir);
 * equal(set.count, 1);
 * equal(set.landmarks[0], 10); // 0-based
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadPtsFolder(
  dir: string,
  options: LoadPtsFolderOptions = {},
): Promise<ImageFaceSet> {
  const action = folderAction(dir);
  checkOptions(options, action);
  const abs = await checkFolder(action, "folder", dir);
  const images: string[] = [];
  const pts = new Map<string, string>(); // path without extension -> .pts path
  const walk = async (rel: string): Promise<void> => {
    for await (const entry of Deno.readDir(join(abs, rel))) {
      const name = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory && options.recursive === true) await walk(name);
      if (!entry.isFile) continue;
      const ext = extname(entry.name).toLowerCase();
      if (IMAGE_EXTENSIONS.includes(ext)) images.push(name);
      else if (ext === ".pts") pts.set(name.slice(0, -4), name);
    }
  };
  try {
    await walk("");
  } catch (e) {
    throw fileError(action, "folder", dir, e);
  }
  images.sort();
  if (images.length === 0) {
    throw new Error(`Cannot ${action}: it holds no .jpg, .jpeg or .png image`);
  }
  const stem = (name: string): string => name.slice(0, name.length - extname(name).length);
  const used = new Set<string>();
  const faces: Float64Array[] = [];
  let k = options.numPoints;
  for (const image of images) {
    const ptsName = pts.get(stem(image));
    if (ptsName === undefined) {
      throw new Error(`Cannot ${action}: image "${image}" has no landmarks ("${stem(image)}.pts")`);
    }
    if (used.has(ptsName)) {
      throw new Error(`Cannot ${action}: "${ptsName}" is beside two images named "${stem(image)}"`);
    }
    used.add(ptsName);
    const lm = await readFacePts(action, join(abs, ptsName), ptsName, {
      origin: options.origin,
      numPoints: k,
    });
    k = lm.length / 2;
    faces.push(lm);
  }
  const orphan = [...pts.values()].find((p) => !used.has(p));
  if (orphan !== undefined) {
    throw new Error(`Cannot ${action}: landmarks "${orphan}" have no image beside them`);
  }
  const landmarks = new Float64Array(faces.length * 2 * k!);
  faces.forEach((f, i) => landmarks.set(f, i * 2 * k!));
  return {
    images: images.map((name) => join(abs, name)),
    landmarks,
    boxes: null,
    count: faces.length,
    numPoints: k!,
    sources: [...used].map((name) => join(abs, name)),
  };
}
