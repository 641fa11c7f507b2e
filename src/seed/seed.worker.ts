import { parentPort, workerData } from 'node:worker_threads';
import { transferListOf } from '../db/bulk/lead-batch.js';
import { LeadGenerator, type SeedPlan } from './seed.data.js';

/**
 * The lead generator in a worker thread (see `batchSource`): each message asks for the next
 * batch of that many leads, and is answered with it.
 */

export type GeneratorInput = { plan: SeedPlan; total: number; randomSeed: number };

const port = parentPort;
if (port) {
  const { plan, total, randomSeed } = workerData as GeneratorInput;
  const generator = new LeadGenerator(plan, total, randomSeed);
  port.on('message', (size: number) => {
    const batch = generator.next(size);
    // Transferred, not copied: the columns are typed arrays.
    port.postMessage(batch, transferListOf(batch));
  });
}
