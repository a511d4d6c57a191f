// The prefetch worker of createBatchSource (rendered faces).
import { makeBatch } from "./_make_batch.ts";
import { serveInWorker } from "./_prefetch.ts";

serveInWorker(makeBatch);
