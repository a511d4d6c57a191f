// Runs a peer of the benchmarks (../shared/peers) as its own process.

/** Runs a peer command; its last stdout line parsed as JSON, or why it failed. */
export async function runPeer(
  cmd: string,
  args: string[],
  json = true,
): Promise<Record<string, unknown> | string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    if (!out.success) {
      return `exit ${out.code}: ${new TextDecoder().decode(out.stderr).trim().split("\n").at(-1)}`;
    }
    if (!json) return {};
    return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
