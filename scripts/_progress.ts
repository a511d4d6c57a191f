// Training progress for the terminal: a bar redrawn in place on a TTY, plain lines otherwise.

/** Formats seconds as m:ss (or h:mm:ss). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? h + ":" : ""}${mm}:${String(r).padStart(2, "0")}`;
}

/** A progress reporter: `update` after each step, `done` at the end. */
export class Progress {
  #tty: boolean;
  #total: number;
  #label: string;
  #lastLine = 0;
  #encoder = new TextEncoder();

  constructor(total: number, label: string, tty = Deno.stderr.isTerminal()) {
    this.#total = total;
    this.#label = label;
    this.#tty = tty;
  }

  /** Reports one step: `seconds` since the start. */
  update(step: number, loss: number, seconds: number, note = ""): void {
    const rate = step / Math.max(seconds, 1e-9);
    const eta = (this.#total - step) / rate;
    const text = `${this.#label} step ${step}/${this.#total}  loss ${loss.toPrecision(4)}  ` +
      `${rate.toFixed(2)} steps/s  ETA ${formatDuration(eta)}${note ? "  " + note : ""}`;
    if (this.#tty) {
      const width = 20, filled = Math.round((width * step) / this.#total);
      const bar = "#".repeat(filled) + "-".repeat(width - filled);
      Deno.stderr.writeSync(this.#encoder.encode(`\r\x1b[2K[${bar}] ${text}`));
    } else if (step === this.#total || step === 1 || seconds - this.#lastLine >= 10) {
      this.#lastLine = seconds;
      console.error(text);
    }
  }

  /** Prints a line between updates (e.g. a validation result). */
  line(text: string): void {
    if (this.#tty) Deno.stderr.writeSync(this.#encoder.encode("\r\x1b[2K"));
    console.error(text);
  }

  /** Ends the bar. */
  done(): void {
    if (this.#tty) Deno.stderr.writeSync(this.#encoder.encode("\n"));
  }
}
