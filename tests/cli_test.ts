// The scripts' command-line helpers: flags from the usage text (flagsOfHelp), negative numbers,
// one-line failures, atomic outputs that never replace an input.
import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { join } from "node:path";
import {
  checkOutDir,
  describeFailure,
  flagsOfHelp,
  numberFlag,
  parseUsage,
  refuseOverwrite,
  sameFile,
  UsageError,
  writeOutput,
} from "../scripts/_cli.ts";
import { needs } from "./_permissions.ts";

const WRITE = needs("read", "write");

const HELP = `Usage: deno task demo [options]

--out and --json are explained below; this prose line declares nothing.

Options:
  --out DIR            output folder (default: out)
  --gt-origin 0|1      subtract 1 from 1-based values
  --json               print JSON
                       --not-a-flag: a continuation line
  --no-wasm            skip the WASM call
  -h, --help           print this help
`;

Deno.test("flagsOfHelp: a value name makes a string flag, none a boolean flag", () => {
  deepEqual(flagsOfHelp(HELP), {
    out: { type: "string" },
    "gt-origin": { type: "string" },
    json: { type: "boolean" },
    "no-wasm": { type: "boolean" },
    help: { type: "boolean" },
  });
});

Deno.test("parseUsage accepts the documented flags and refuses the others", () => {
  deepEqual(parseUsage(["--out", "a", "--json"], HELP)?.values, { out: "a", json: true });
  throws(() => parseUsage(["--verbose"], HELP), UsageError);
  throws(() => parseUsage(["--out"], HELP), UsageError);
  throws(() => parseUsage(["--json=1"], HELP), UsageError);
  throws(() => parseUsage(["extra"], HELP), UsageError);
  deepEqual(parseUsage(["extra"], HELP, true)?.positionals, ["extra"]);
});

Deno.test("parseUsage takes a negative number as a string flag's value", () => {
  const help =
    `Usage: demo\n\nOptions:\n  --steps N   steps\n  --list L    numbers\n  --json      json\n`;
  deepEqual(parseUsage(["--steps", "-5", "--list", "-0.5,2"], help)?.values, {
    steps: "-5",
    list: "-0.5,2",
  });
  deepEqual(parseUsage(["--steps", "-.5"], help)?.values, { steps: "-.5" });
  throws(() => numberFlag({ steps: "-5" }, "steps", { integer: true, min: 1 }), {
    name: "UsageError",
    message: "--steps must be an integer >= 1 but it is -5",
  });
  throws(() => numberFlag({ n: "7" }, "n", { max: 4 }), {
    message: "--n must be a number <= 4 but it is 7",
  });
  // a flag is still a flag, and a boolean flag takes no value
  throws(() => parseUsage(["--steps", "--json"], help), {
    name: "UsageError",
    message: "--steps needs a value, or takes one that starts with a dash as --steps=-VALUE",
  });
  deepEqual(parseUsage(["--steps=-x"], help)?.values, { steps: "-x" });
  throws(() => parseUsage(["--json", "-5"], help), UsageError);
});

Deno.test("describeFailure prints the whole message and its causes on one line", () => {
  const inner = new Error("invalid distance\ntoo far back");
  const e = new Error("Error while decompressing the data:", { cause: inner });
  deepEqual(describeFailure("demo", e), {
    line: "demo: Error while decompressing the data: invalid distance too far back",
    code: 1,
  });
  deepEqual(describeFailure("demo", new UsageError("a\nb")), {
    line: "demo: a b (see --help)",
    code: 2,
  });
});

Deno.test({
  name: `writeOutput writes atomically and refuseOverwrite protects inputs${WRITE.why}`,
  ignore: WRITE.ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "awing_cli_" });
  try {
    const input = join(dir, "gt.pts");
    await Deno.writeTextFile(input, "truth");
    await writeOutput(join(dir, "sub", "a.txt"), "one");
    await writeOutput(join(dir, "sub", "a.txt"), new TextEncoder().encode("two"));
    equal(await Deno.readTextFile(join(dir, "sub", "a.txt")), "two");
    deepEqual([...Deno.readDirSync(join(dir, "sub"))].map((e) => e.name), ["a.txt"]);
    await rejects(writeOutput(join(input, "x"), "three", "--out"), {
      name: "CliError",
      message: /^cannot write --out ".*gt\.pts\/x": /,
    });
    await Deno.symlink(input, join(dir, "link.pts"));
    for (const output of [input, join(dir, ".", "gt.pts"), join(dir, "link.pts")]) {
      await rejects(refuseOverwrite([output], [input]), {
        name: "UsageError",
        message: /^--out would overwrite the input ".*gt\.pts"/,
      });
    }
    await refuseOverwrite([join(dir, "other.pts")], [input]);
    ok(await sameFile(dir, join(dir, "sub", "..")));
    equal(await Deno.readTextFile(input), "truth");
    await rejects(checkOutDir(input), { name: "UsageError", message: /is not a directory$/ });
    await checkOutDir(join(dir, "new", "deeper"));
    deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["gt.pts", "link.pts", "sub"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
