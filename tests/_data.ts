// The real annotations in ../shared/data/landmarks (see its README.md): tests that need them
// are skipped, visibly, when the folder is absent. They are read in place, never copied.
import { fileURLToPath } from "node:url";
import type { WflwAttributeName } from "../src/layouts/mod.ts";
import { READ } from "./_permissions.ts";

/** The folder of real annotation files, beside the repository. */
export const DATA: URL = new URL("../../shared/data/landmarks/", import.meta.url);

/** Whether the folder can be read here: read permission granted and the folder there. */
const STATE: "ok" | "no-permission" | "absent" = (() => {
  if (READ.ignore) return "no-permission";
  try {
    return Deno.statSync(new URL("README.md", DATA)).isFile ? "ok" : "absent";
  } catch {
    return "absent";
  }
})();

/** Whether the folder is there (and may be read). */
export const HAS_DATA: boolean = STATE === "ok";

/** Suffix for the names of tests that need the data: says why they are skipped. */
export const SKIP: string = STATE === "ok"
  ? ""
  : STATE === "no-permission"
  ? READ.why
  : " (skipped: ../shared/data/landmarks not found)";

/** The text of one file of the folder. */
export function read(name: string): string {
  return Deno.readTextFileSync(fileURLToPath(new URL(name, DATA)));
}

/** The WFLW test subset list of each attribute: `wflw_test_98pt_<name>.txt`. */
export const WFLW_SUBSET_FILES: Readonly<Record<WflwAttributeName, string>> = {
  pose: "wflw_test_98pt_largepose.txt",
  expression: "wflw_test_98pt_expression.txt",
  illumination: "wflw_test_98pt_illumination.txt",
  makeup: "wflw_test_98pt_makeup.txt",
  occlusion: "wflw_test_98pt_occlusion.txt",
  blur: "wflw_test_98pt_blur.txt",
};
