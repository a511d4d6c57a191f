// Internal helpers of the annotation readers: line splitting, strict numbers, errors.

import { checkOptions } from "../_validate.ts";

/** Context of one parse: what is read (`"WFLW list"`) and the optional file name. */
export interface _ParseContext {
  readonly kind: string;
  readonly name?: string | undefined;
}

/** Longest piece of the input an error message quotes. */
const QUOTE_MAX = 80;

/** Quotes a piece of the input for an error message: at most 80 characters, then "...". */
export function _quote(text: string): string {
  return JSON.stringify(text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}...` : text);
}

/** Throws a SyntaxError `Cannot parse <kind> "<name>": line <n> <message>`. */
export function _fail(ctx: _ParseContext, line: number | undefined, message: string): never {
  const where = ctx.name === undefined ? "" : ` ${_quote(ctx.name)}`;
  const at = line === undefined ? "" : `line ${line} `;
  throw new SyntaxError(`Cannot parse ${ctx.kind}${where}: ${at}${message}`);
}

/** Checks that `text` is a string; returns it without a leading byte-order mark. */
function _checkText(ctx: _ParseContext, text: unknown): string {
  if (typeof text !== "string") {
    const where = ctx.name === undefined ? "" : ` ${JSON.stringify(ctx.name)}`;
    throw new TypeError(
      `Cannot parse ${ctx.kind}${where}: "text" must be a string, got ${
        text === null ? "null" : typeof text
      }`,
    );
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Splits text into lines (LF or CRLF). Element i is line i + 1. */
function _lines(text: string): string[] {
  return text.split(/\r?\n/);
}

/**
 * Starts a parse of `kind`: checks `options` (an object or undefined) and `text` (a string),
 * and returns the parse context and the text's lines (LF or CRLF).
 */
export function _begin(
  kind: string,
  text: unknown,
  options: { readonly name?: string | undefined },
): { ctx: _ParseContext; lines: string[] } {
  checkOptions(options, `parse ${kind}`);
  const ctx: _ParseContext = { kind, name: options.name };
  return { ctx, lines: _lines(_checkText(ctx, text)) };
}

/** The non-blank lines, trimmed, each with its 1-based line number. */
export function* _nonBlankLines(lines: readonly string[]): Generator<[n: number, line: string]> {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line !== "") yield [i + 1, line];
  }
}

// Linear in the token's length: every repetition is followed by a character it cannot match
// (`\d+\.?\d*` would try each split of a run of digits between its two halves).
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a plain decimal number (no hex, no Infinity, no NaN, no empty string). */
export function _number(ctx: _ParseContext, line: number, what: string, token: string): number {
  if (!DECIMAL.test(token)) {
    _fail(ctx, line, `has ${what} ${_quote(token)}, which is not a number`);
  }
  const value = Number(token);
  if (!Number.isFinite(value)) {
    _fail(ctx, line, `has ${what} ${_quote(token)}, which is not a finite number`);
  }
  return value;
}

/**
 * Reads `count` coordinates x0, y0, x1, y1, ... from `fields[first]` on, minus `shift`; an
 * error names each value and its 1-based `unit` number (`x3 (field 8)`).
 */
export function _coordinates(
  ctx: _ParseContext,
  line: number,
  fields: readonly string[],
  first: number,
  count: number,
  shift: number,
  unit: "field" | "column",
): Float64Array {
  const out = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const what = `${j % 2 === 0 ? "x" : "y"}${j >> 1} (${unit} ${first + j + 1})`;
    out[j] = _number(ctx, line, what, fields[first + j]!.trim()) - shift;
  }
  return out;
}

/** Parses a 0/1 flag. */
export function _flag(ctx: _ParseContext, line: number, what: string, token: string): 0 | 1 {
  if (token === "0") return 0;
  if (token === "1") return 1;
  return _fail(ctx, line, `has ${what} ${_quote(token)}, but a flag must be 0 or 1`);
}

/** Checks the `origin` option and returns the amount to subtract from coordinates. */
export function _originShift(ctx: _ParseContext, origin: unknown): number {
  if (origin === undefined || origin === 0) return 0;
  if (origin === 1) return 1;
  throw new RangeError(
    `Cannot parse ${ctx.kind} as origin must be 0 or 1: current value is ${String(origin)}`,
  );
}
