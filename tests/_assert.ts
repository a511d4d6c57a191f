// Assertions shared by the test files.
import { equal, ok } from "node:assert/strict";

/** |a - b| <= rel * |b| + abs at every index, naming the first failure. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel: number,
  abs: number,
  what: string,
): void {
  equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    const err = Math.abs(a - e);
    if (!(err <= rel * Math.abs(e) + abs)) {
      throw new Error(`${what}: index ${i} is ${a} but the reference is ${e}`);
    }
  }
}

/** The error `fn` throws (failing when it returns), checked against `type`. */
export function caught<T>(fn: () => unknown, type: new (...args: never[]) => T): T {
  try {
    fn();
  } catch (error) {
    ok(error instanceof type, `expected ${type.name} but got ${error}`);
    return error;
  }
  throw new Error(`expected ${type.name} but nothing was thrown`);
}

/** The largest absolute value of an array (0 when empty). */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Element `i` of `a`, throwing when there is none (so that a wrong index fails loudly). */
export function at<T>(a: ArrayLike<T>, i: number): T {
  const v = a[i];
  if (v === undefined) throw new RangeError(`no element at index ${i} (length ${a.length})`);
  return v;
}

/** The class and message of the error `fn` throws, or "nothing thrown". */
export function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  return "nothing thrown";
}
