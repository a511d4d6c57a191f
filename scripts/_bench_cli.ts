// The command line of the benchmarks that take only `--reps N` and `--json`.
import { numberFlag, parseUsage } from "./_cli.ts";

/**
 * Parses `args` with the flags `help` documents (`--reps N`, a whole number >= 1, and
 * `--json`; `-h` prints `help`), runs `bench` with the repetitions (undefined when absent:
 * the benchmark's default) and prints its rows as indented JSON, or as the lines `table`
 * writes. Returns the exit code.
 */
export async function benchMain<R>(
  args: readonly string[],
  help: string,
  bench: (reps: number | undefined) => Promise<R>,
  table: (rows: R) => string[],
): Promise<number> {
  const cli = parseUsage(args, help);
  if (cli === undefined) return 0;
  const rows = await bench(numberFlag(cli.values, "reps", { integer: true, min: 1 }));
  console.log(cli.values.json ? JSON.stringify(rows, null, 2) : table(rows).join("\n"));
  return 0;
}
