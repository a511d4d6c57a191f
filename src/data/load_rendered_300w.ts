import { checkOptions } from "../_validate.ts";
import { parse300wCsv } from "../layouts/parse_300w_csv.ts";
import { parseCofw68 } from "../layouts/parse_cofw68.ts";
import { mixSeed, Rng } from "./_rng.ts";
import type { FaceSet } from "./face_set.ts";

/** Options of {@linkcode loadRendered300w}. */
export interface LoadRendered300wOptions {
  /**
   * Folder of the annotation files (`300w_*_68pt.csv`, `cofw68_test_68pt.txt`). Default: the
   * shared data folder beside the repository, `../shared/data/landmarks/` relative to the
   * repository root (only available in a checkout).
   */
  readonly dir?: string | URL;
}

/** The three splits of the "rendered 300W" protocol. */
export interface Rendered300w {
  /** 1,118 faces to train on. */
  readonly train: FaceSet;
  /** 124 faces held out for choices (learning rate, early stopping). */
  readonly val: FaceSet;
  /** 554 faces (300W common), only for the final score. */
  readonly test: FaceSet;
  /**
   * The protocol's fixed seed for rendering the validation and test faces: every run renders
   * them with it, whatever its own seed, so that all runs are scored on the same images.
   */
  readonly evalSeed: number;
}

const TRAIN_FILES = [
  "300w_private_test_68pt.csv",
  "300w_public_challenge_68pt.csv",
  "cofw68_test_68pt.txt",
] as const;
const TEST_FILE = "300w_public_common_68pt.csv";
/** Seed of the fixed validation draw (never change it: it defines the protocol). */
const SPLIT_SEED = 20190407;
const VAL_FRACTION = 0.1;
/** Seed of the validation and test faces' rendering (never change it: it defines the protocol). */
const EVAL_SEED = 20191027;

/**
 * Loads the landmarks of the "rendered 300W" protocol, awing's face-disjoint split of the
 * real 68-point annotations in the shared data folder, for training on faces drawn by
 * `renderFace` (the datasets' images cannot ship):
 *
 * - train + val: the 68-point faces of 300W private test (600), 300W challenging (135) and
 *   COFW-68 (507), 1,242 faces; a fixed, seeded 10% (124 faces) is held out for validation
 *   (learning-rate choice, early stopping), the other 1,118 are the training faces;
 * - test: 300W common (LFPW + HELEN test, 554 faces), used for no choice, only for the score.
 *
 * The validation and test faces are meant to be rendered with the protocol's fixed `evalSeed`,
 * the same images for every run.
 *
 * Coordinates are 0-based pixels of the original images (the files' 1-based values minus 1).
 * Each set keeps its faces in file order; `sources` names the file and line of each face.
 *
 * Needs `--allow-read` for the folder.
 *
 * @param options The folder (default `../shared/data/landmarks/` beside the repository).
 * @returns The train, val and test face sets and the evaluation faces' rendering seed.
 * @throws {Error} If the folder or a file is missing or unreadable (one-line message naming
 * it and what to pass), or a file is malformed (the reader's message, with file and line).
 *
 * @example The split sizes (needs the shared data folder)
 * ```ts ignore
 * import { loadRendered300w } from "@facealign/awing/data";
 * import { equal } from "node:assert/strict";
 *
 * const { train, val, test } = await loadRendered300w();
 * equal(train.count + val.count, 1242);
 * equal(val.count, 124);
 * equal(test.count, 554);
 * ```
 */
export async function loadRendered300w(
  options: LoadRendered300wOptions = {},
): Promise<Rendered300w> {
  checkOptions(options, "load the rendered 300W faces");
  const dir = folderUrl(options.dir ?? new URL("../../../shared/data/landmarks/", import.meta.url));
  if (dir.protocol !== "file:") {
    throw new Error(
      `Cannot load the rendered 300W split: ${dir.href} is not a local folder (outside a checkout, pass "dir")`,
    );
  }
  const read = async (name: string): Promise<string> => {
    const url = new URL(name, dir);
    try {
      return await Deno.readTextFile(url);
    } catch (e) {
      const where = decodeURIComponent(url.pathname);
      if (e instanceof Deno.errors.NotFound) {
        throw new Error(
          `Cannot load the rendered 300W split: ${where} was not found (the shared annotation folder is needed; pass "dir")`,
        );
      }
      if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
        throw new Error(`Cannot load the rendered 300W split: reading ${where} needs --allow-read`);
      }
      throw new Error(`Cannot load the rendered 300W split: cannot read ${where}: ${String(e)}`);
    }
  };
  const faces: { landmarks: Float64Array; source: string }[] = [];
  for (const name of TRAIN_FILES) {
    const text = await read(name);
    if (name.endsWith(".csv")) {
      parse300wCsv(text, { name, origin: 1 }).forEach((r, i) =>
        faces.push({ landmarks: r.landmarks, source: `${name}:${i + 2} (${r.image})` })
      );
    } else {
      parseCofw68(text, { name, origin: 1 }).forEach((r) =>
        faces.push({ landmarks: r.landmarks, source: `${name}:${r.index} (COFW test ${r.index})` })
      );
    }
  }
  const test = parse300wCsv(await read(TEST_FILE), { name: TEST_FILE, origin: 1 }).map((r, i) => ({
    landmarks: r.landmarks,
    source: `${TEST_FILE}:${i + 2} (${r.image})`,
  }));
  const order = faces.map((_, i) => i);
  const rng = new Rng(mixSeed(SPLIT_SEED));
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nVal = Math.round(VAL_FRACTION * faces.length);
  const isVal = new Uint8Array(faces.length);
  for (const i of order.slice(0, nVal)) isVal[i] = 1;
  return {
    train: faceSet(faces.filter((_, i) => isVal[i] === 0)),
    val: faceSet(faces.filter((_, i) => isVal[i] === 1)),
    test: faceSet(test),
    evalSeed: EVAL_SEED,
  };
}

/** A folder as a URL ending in "/". */
function folderUrl(dir: string | URL): URL {
  if (dir instanceof URL) return dir.href.endsWith("/") ? dir : new URL(`${dir.href}/`);
  if (typeof dir !== "string" || dir === "") {
    throw new TypeError(`Cannot load the rendered 300W split: "dir" must be a path or a URL`);
  }
  const abs = dir.startsWith("/") ? dir : `${Deno.cwd()}/${dir}`;
  return new URL(`file://${abs.endsWith("/") ? abs : `${abs}/`}`);
}

function faceSet(faces: readonly { landmarks: Float64Array; source: string }[]): FaceSet {
  const landmarks = new Float64Array(faces.length * 136);
  faces.forEach((f, i) => landmarks.set(f.landmarks, i * 136));
  return { landmarks, count: faces.length, numPoints: 68, sources: faces.map((f) => f.source) };
}
