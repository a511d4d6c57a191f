/**
 * Types shared by the metrics.
 *
 * @module
 */

/**
 * Per-image NMEs as accepted by the summary metrics (`meanNme`, `failureRate`,
 * `auc`, `cedCurve`, `subsetMetrics`): a Float64Array (what `nme` returns), a Float32Array
 * or a plain array of numbers. Values must be finite and >= 0.
 */
export type NmeValues = Float64Array | Float32Array | readonly number[];
