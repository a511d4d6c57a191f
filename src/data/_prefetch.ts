// The batch queue shared by the batch sources: batch i is a pure function of (plan, i); it
// is computed on the calling thread, or by a Worker that keeps `prefetch` batches ahead.
import type { Batch } from "./_make_batch.ts";

/** The `next` / `close` half of a batch source. */
export interface BatchQueue {
  next(): Promise<Batch>;
  close(): void;
}

/**
 * Serves batches of `plan`: with `workerUrl`, a module Worker (running {@linkcode serveInWorker})
 * builds them ahead; without, `make` runs on the calling thread at each `next()`.
 */
export function batchQueue<P>(
  plan: P,
  make: (plan: P, index: number) => Batch,
  workerUrl: URL | null,
  prefetch: number,
): BatchQueue {
  let next = 0;
  let closed = false;
  const closedError = (): Error => new Error("Cannot get batch: the batch source is closed");
  if (workerUrl === null) {
    return {
      next: () => (closed ? Promise.reject(closedError()) : Promise.resolve(make(plan, next++))),
      close: () => {
        closed = true;
      },
    };
  }
  const access: Deno.PermissionDescriptor = workerUrl.protocol === "file:"
    ? { name: "read", path: workerUrl }
    : { name: "net", host: workerUrl.host };
  if (Deno.permissions.querySync(access).state !== "granted") {
    const flag = access.name === "read" ? "--allow-read" : "--allow-net";
    throw new Error(
      `Cannot create batch source: its worker needs ${flag} to load ${workerUrl.href} (or pass worker: false)`,
    );
  }
  const worker = new Worker(workerUrl, { type: "module" });
  type Pending = {
    resolve: (b: Batch) => void;
    reject: (e: Error) => void;
    promise: Promise<Batch>;
  };
  const pending = new Map<number, Pending>();
  const request = (index: number): void => {
    let resolve!: (b: Batch) => void, reject!: (e: Error) => void;
    const promise = new Promise<Batch>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {}); // a prefetched batch nobody asks for is no unhandled rejection
    pending.set(index, { resolve, reject, promise });
    worker.postMessage({ index });
  };
  const failAll = (message: string): void => {
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
  };
  worker.onmessage = (event: MessageEvent): void => {
    const msg = event.data as { batch?: Batch; index?: number; error?: string };
    const index = msg.batch?.index ?? msg.index ?? -1;
    const p = pending.get(index);
    if (p === undefined) return;
    pending.delete(index);
    if (msg.batch !== undefined) p.resolve(msg.batch);
    else p.reject(new Error(`Cannot make batch ${index}: ${msg.error}`));
  };
  worker.onerror = (event: ErrorEvent): void => {
    event.preventDefault();
    failAll(`Cannot make batches: the worker failed: ${event.message}`);
  };
  worker.postMessage({ plan });
  for (let i = 0; i < prefetch; i++) request(i);
  return {
    next: (): Promise<Batch> => {
      if (closed) return Promise.reject(closedError());
      const index = next++;
      const p = pending.get(index);
      request(index + prefetch);
      if (p !== undefined) return p.promise;
      request(index);
      return pending.get(index)!.promise;
    },
    close: (): void => {
      if (closed) return;
      closed = true;
      worker.terminate();
      failAll("Cannot get batch: the batch source is closed");
    },
  };
}

/** The worker side: receives the plan once, then builds and sends the batches asked for. */
export function serveInWorker<P>(make: (plan: P, index: number) => Batch): void {
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent) => void) | null;
    postMessage(message: unknown, transfer?: Transferable[]): void;
  };
  let plan: P | null = null;
  scope.onmessage = (event: MessageEvent): void => {
    const msg = event.data as { plan?: P; index?: number };
    if (msg.plan !== undefined) {
      plan = msg.plan;
      return;
    }
    const index = msg.index ?? -1;
    try {
      const batch = make(plan!, index);
      const { images, heatmaps, landmarks, matrices, faces, flipped } = batch;
      const arrays = [images, heatmaps, landmarks, matrices, faces, flipped];
      scope.postMessage({ batch }, arrays.map((a) => a.buffer as ArrayBuffer));
    } catch (e) {
      scope.postMessage({ index, error: e instanceof Error ? e.message : String(e) });
    }
  };
}
