import { parentPort, workerData } from 'node:worker_threads';
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
  port.on('message', (size: number) => port.postMessage(generator.next(size)));
}
