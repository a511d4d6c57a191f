// File-system helpers of the folder loaders: one-line errors that say what is wrong.
import { resolve } from "node:path";
import { oneLine } from "../_one_line.ts";
import { parsePts } from "../layouts/parse_pts.ts";

/** An Error saying why `path` could not be read, in one line. */
export function fileError(action: string, what: string, path: string, e: unknown): Error {
  if (e instanceof Deno.errors.NotFound) {
    return new Error(`Cannot ${action}: ${what} "${path}" was not found`);
  }
  if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
    return new Error(`Cannot ${action}: reading ${what} "${path}" needs --allow-read`);
  }
  return new Error(`Cannot ${action}: cannot read ${what} "${path}": ${oneLine(e)}`);
}

/** The absolute path of `path`, checked to be a folder. */
export async function checkFolder(action: string, what: string, path: unknown): Promise<string> {
  if (typeof path !== "string" || path === "") {
    throw new TypeError(`Cannot ${action}: "${what}" must be a non-empty path`);
  }
  let abs: string;
  try {
    abs = resolve(path);
    const info = await Deno.stat(abs);
    if (!info.isDirectory) throw new Error(`Cannot ${action}: ${what} "${path}" is not a folder`);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith("Cannot ")) throw e;
    throw fileError(action, what, path, e);
  }
  return abs;
}

/** The text of a file, with a one-line error. */
export async function readText(action: string, what: string, path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    throw fileError(action, what, path, e);
  }
}

/**
 * The landmarks of one face's `.pts` file, the one rule of every reader of `.pts` folders
 * (`loadPtsFolder`, so `train --data`, and `predict`): read as 300W writes them (`origin`,
 * 1 by default), with exactly `numPoints` points when given. Errors are one line,
 * `Cannot <action>: Cannot parse PTS "<name>": ...`.
 */
export async function readFacePts(
  action: string,
  path: string,
  name: string,
  options: { readonly origin?: 0 | 1 | undefined; readonly numPoints?: number | undefined },
): Promise<Float64Array> {
  const text = await readText(action, "landmarks", path);
  try {
    return parsePts(text, {
      name,
      origin: options.origin ?? 1,
      ...(options.numPoints === undefined ? {} : { numPoints: options.numPoints }),
    });
  } catch (e) {
    throw new Error(`Cannot ${action}: ${oneLine(e)}`);
  }
}

/** The action of the folder readers' messages: `load image folder "<dir>"`. */
export function folderAction(dir: string): string {
  return `load image folder "${dir}"`;
}
