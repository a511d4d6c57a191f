// Checks shared by the experiment-summary functions (summaries, convergence, comparisons).

/** Throws a TypeError unless `value` is an array. */
export function _checkArray(value: unknown, name: string, action: string): void {
  if (!Array.isArray(value)) {
    throw new TypeError(
      `Cannot ${action}: "${name}" must be an array but it is ${
        value === null ? "null" : typeof value
      }`,
    );
  }
}

/** Throws a TypeError unless `value` is a number array (or typed array) of finite values. */
export function _checkNumbers(value: unknown, name: string, action: string): void {
  if (!(Array.isArray(value) || ArrayBuffer.isView(value))) {
    _checkArray(value, name, action);
  }
  const values = value as ArrayLike<unknown>;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new TypeError(
        `Cannot ${action}: "${name}" must hold finite numbers but element ${i} is ${String(v)}`,
      );
    }
  }
}
