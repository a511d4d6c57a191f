// Error text for one-line messages: the whole message on one line, with its causes.

/**
 * The text of `error` on one line: its message with line breaks turned into spaces, followed
 * by the messages of its `cause` chain (`"Error while decompressing the data: invalid
 * distance too far back"`), so that nothing is cut off at the first line.
 */
export function oneLine(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let e: unknown = error;
  while (e !== undefined && e !== null && !seen.has(e) && parts.length < 8) {
    seen.add(e);
    const text = (e instanceof Error ? e.message : String(e)).split(/\s*\r?\n\s*/)
      .filter((l) => l !== "").join(" ").trim();
    if (text !== "") parts.push(text.replace(/:$/, ""));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(": ");
}
