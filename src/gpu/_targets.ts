// Which GPUs the library can run on: its build targets (`awl_build_targets`) against a device's
// compute capability, by CUDA's compatibility rules, before any context is created.

/** The oldest compute capability the library supports: nvcc 13 builds nothing older. */
export const MIN_CAPABILITY = "7.5";

/** One target of the build: machine code (`sm_XY`) or PTX (`compute_XY`). */
export interface BuildTarget {
  /** The target as written, such as `"sm_90"` or `"compute_75"`. */
  text: string;
  /** `"sm"`: machine code; `"compute"`: PTX that the driver compiles for newer GPUs. */
  kind: "sm" | "compute";
  major: number;
  minor: number;
  /** An architecture-specific suffix (`"a"` of `sm_90a`), or `""`. */
  suffix: string;
}

/** The targets of a build's text, such as `"sm_75 sm_80 sm_90 compute_75"` (unknown words are
 * left out). */
export function parseTargets(text: string): BuildTarget[] {
  const targets: BuildTarget[] = [];
  for (const word of text.split(/\s+/)) {
    const m = /^(sm|compute)_(\d+)(\d)([a-z]?)$/.exec(word);
    if (m === null) continue;
    targets.push({
      text: word,
      kind: m[1] as "sm" | "compute",
      major: Number(m[2]),
      minor: Number(m[3]),
      suffix: m[4]!,
    });
  }
  return targets;
}

function atLeast(major: number, minor: number, t: { major: number; minor: number }): boolean {
  return major > t.major || (major === t.major && minor >= t.minor);
}

/**
 * The target a device of compute capability major.minor runs: machine code built for the same
 * major version and an equal or lower minor one (exactly its own with an `a` suffix), else PTX
 * of an equal or lower version, which the driver compiles; undefined when there is none.
 */
export function runnableTarget(
  targets: readonly BuildTarget[],
  major: number,
  minor: number,
): BuildTarget | undefined {
  const machine = targets.filter((t) =>
    t.kind === "sm" && t.major === major &&
    (t.suffix === "" ? t.minor <= minor : t.minor === minor)
  ).sort((a, b) => b.minor - a.minor)[0];
  if (machine !== undefined) return machine;
  return targets.filter((t) => t.kind === "compute" && t.suffix === "" && atLeast(major, minor, t))
    .sort((a, b) => b.major - a.major || b.minor - a.minor)[0];
}

/** The targets in words: `"sm_75, sm_80, sm_90 machine code and compute_75 PTX"`. */
export function describeTargets(targets: readonly BuildTarget[]): string {
  const list = (kind: "sm" | "compute"): string =>
    targets.filter((t) => t.kind === kind).map((t) => t.text).join(", ");
  const parts = [];
  if (list("sm") !== "") parts.push(`${list("sm")} machine code`);
  if (list("compute") !== "") parts.push(`${list("compute")} PTX`);
  return parts.length === 0 ? "no recorded targets" : parts.join(" and ");
}

/** CUDA's compute modes (`cudaComputeMode`), by their number. */
export const COMPUTE_MODES = ["default", "exclusive-thread", "prohibited", "exclusive-process"];

/**
 * Why the library cannot run on a device, known without touching it; undefined when it can
 * (whether the device is free is known only by creating a context on it). `targetsText` is the
 * build's text; when it is empty (a build that did not record them) only the 7.5 floor counts.
 */
export function unsupportedReason(
  major: number,
  minor: number,
  computeMode: number,
  targetsText: string,
): string | undefined {
  const cc = `${major}.${minor}`;
  const targets = parseTargets(targetsText);
  const carries = targets.length === 0 ? "" : ` (it carries ${describeTargets(targets)})`;
  const [minMajor, minMinor] = MIN_CAPABILITY.split(".").map(Number) as [number, number];
  if (!atLeast(major, minor, { major: minMajor, minor: minMinor })) {
    return `compute capability ${cc} is below ${MIN_CAPABILITY}, the oldest the library ` +
      `supports${carries}`;
  }
  if (targets.length > 0 && runnableTarget(targets, major, minor) === undefined) {
    return `the library has no code for compute capability ${cc}${carries}: rebuild it with ` +
      "`deno task build:cuda`";
  }
  if (COMPUTE_MODES[computeMode] === "prohibited") {
    return 'its compute mode is "prohibited": no process may use it';
  }
  return undefined;
}
