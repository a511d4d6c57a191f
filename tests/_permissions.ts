// Tests that need a permission run under `deno task test` and are skipped, saying which flag
// they need, under a plain `deno test`.

/** Whether a test can run, and the suffix of its name that says why it is skipped. */
export interface Needs {
  /** True when a permission is missing: pass as the test's `ignore`. */
  readonly ignore: boolean;
  /** `""`, or ` (skipped: needs --allow-read)` naming the missing flags. */
  readonly why: string;
}

/** Checks the permissions a test needs (without prompting). */
export function needs(...names: ("read" | "write" | "env" | "ffi" | "run" | "sys")[]): Needs {
  const missing = names.filter((name) =>
    Deno.permissions.querySync({ name } as Deno.PermissionDescriptor).state !== "granted"
  );
  return {
    ignore: missing.length > 0,
    why: missing.length === 0
      ? ""
      : ` (skipped: needs ${missing.map((m) => `--allow-${m}`).join(" ")})`,
  };
}

/** Read permission, which most file-reading tests need. */
export const READ: Needs = needs("read");
