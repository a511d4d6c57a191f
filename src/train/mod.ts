/**
 * Training face-alignment networks with awing's losses in TensorFlow.js: a small U-Net
 * heatmap regressor (optional CoordConv input channels and boundary output channel), the
 * training loop (Adam, loss by name), checkpoints in a folder, and evaluation (DARK decoding,
 * landmarks mapped back to the image, NME, FR and AUC).
 *
 * @example
 * ```ts
 * import { createHeatmapModel, evaluateModel, trainModel } from "@facealign/awing/train";
 * import { ok } from "node:assert/strict";
 * ok(typeof createHeatmapModel === "function");
 * ok(typeof trainModel === "function" && typeof evaluateModel === "function");
 * ```
 *
 * @module
 */
export type { Batch, BatchSource, EvalSet, LossName } from "./types.ts";
export {
  createHeatmapModel,
  type HeatmapModelOptions,
  type ResolvedModelOptions,
} from "./create_heatmap_model.ts";
export { LOSS_NAMES, lossFunction } from "./loss_function.ts";
export { saveCheckpoint } from "./save_checkpoint.ts";
export { type Checkpoint, loadCheckpoint } from "./load_checkpoint.ts";
export {
  type StepInfo,
  trainModel,
  type TrainModelOptions,
  type TrainModelResult,
} from "./train_model.ts";
export { type PredictedHeatmaps, predictHeatmaps } from "./predict_heatmaps.ts";
export { evaluateModel, type EvaluateModelOptions, type Evaluation } from "./evaluate_model.ts";
export {
  type LogRow,
  runTraining,
  type RunTrainingOptions,
  type RunTrainingResult,
  type TrainingData,
  type TrainingMetrics,
} from "./run_training.ts";
export { LEARNING_RATES } from "./learning_rates.ts";
export { type MeanStd, type RunRecord, type RunSummary, summarizeRuns } from "./summarize_runs.ts";
export { meanPeakValue } from "./mean_peak_value.ts";
export {
  checkConvergence,
  type CheckConvergenceOptions,
  type Convergence,
} from "./check_convergence.ts";
export {
  pairedBootstrap,
  type PairedBootstrapOptions,
  type PairedComparison,
} from "./paired_bootstrap.ts";
export {
  chooseLearningRate,
  type ChooseLearningRateOptions,
  type LearningRateChoice,
  type LearningRateTrial,
} from "./choose_learning_rate.ts";
export {
  type AblationAttempt,
  type AblationConfig,
  type AblationFailure,
  type AblationJob,
  type AblationJobResult,
  type AblationRecord,
  type AblationResult,
  runAblation,
  type RunAblationOptions,
  type SweepRecord,
} from "./run_ablation.ts";
export { openTrainingData, type OpenTrainingDataOptions } from "./open_training_data.ts";
export { predictLandmarks, type PredictLandmarksOptions } from "./predict_landmarks.ts";
// Real images: the loaders live in src/data/ but are exported here, as they need the npm
// image codecs (the `./data` export has no dependency).
export { decodeImage } from "../data/decode_image.ts";
export {
  createImageBatchSource,
  type ImageBatchSourceOptions,
} from "../data/create_image_batch_source.ts";
