// The scripts' flags come from their usage text: flagsOfHelp reads the option lines.
import { deepEqual, throws } from "node:assert/strict";
import { flagsOfHelp, parseUsage, UsageError } from "../scripts/_cli.ts";

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
