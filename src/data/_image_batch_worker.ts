// The prefetch worker of createImageBatchSource (real images).
import { makeImageBatch } from "./_make_image_batch.ts";
import { serveInWorker } from "./_prefetch.ts";

serveInWorker(makeImageBatch);
