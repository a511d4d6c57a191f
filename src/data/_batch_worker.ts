// The prefetch worker of createBatchSource: receives the plan once, then builds the batches
// it is asked for and sends them back with their buffers transferred.
import { type BatchPlan, makeBatch } from "./_make_batch.ts";

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

let plan: BatchPlan | null = null;

scope.onmessage = (event: MessageEvent): void => {
  const msg = event.data as { plan?: BatchPlan; index?: number };
  if (msg.plan !== undefined) {
    plan = msg.plan;
    return;
  }
  const index = msg.index!;
  try {
    const batch = makeBatch(plan!, index);
    const { images, heatmaps, landmarks, matrices, faces, flipped } = batch;
    const arrays = [images, heatmaps, landmarks, matrices, faces, flipped];
    scope.postMessage({ batch }, arrays.map((a) => a.buffer as ArrayBuffer));
  } catch (e) {
    scope.postMessage({ index, error: e instanceof Error ? e.message : String(e) });
  }
};
