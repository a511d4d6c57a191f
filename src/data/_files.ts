// File-system helpers of the folder loaders: one-line errors that say what is wrong.
import { resolve } from "node:path";
import { oneLine } from "../_one_line.ts";

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
