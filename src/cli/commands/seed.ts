import { AppError } from '../../core/errors.js';
import {
  DEFAULT_BATCH_SIZE,
  defaultCustomers,
  SEED_LIMITS,
  seedLeads,
} from '../../seed/seed.service.js';
import { progressReporter } from '../progress.js';
import { str, type Command, type OptionValues } from '../command.js';

/** A whole number within `limits`, or a usage error naming `--option`. */
function integerOption(
  values: OptionValues,
  option: string,
  limits: { min: number; max: number },
  fallback?: number,
): number {
  const value = values[option];
  if (value === undefined && fallback !== undefined) return fallback;
  const text = value === undefined ? '' : str(value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < limits.min || n > limits.max) {
    throw AppError.of(
      'INVALID_ARGUMENT',
      `--${option} must be an integer from ${limits.min} to ${limits.max}`,
    );
  }
  return n;
}

/** Bulk test data: many realistic leads in one org, for benchmarks and trials. */
export const seedCommands: Record<string, Command> = {
  seed: {
    usage:
      'leadline seed --org NAME --leads N [--stores N] [--owners N] [--customers N] [--random-seed N] [--batch-size N]',
    options: {
      org: { type: 'string' },
      leads: { type: 'string' },
      stores: { type: 'string' },
      owners: { type: 'string' },
      customers: { type: 'string' },
      'random-seed': { type: 'string' },
      'batch-size': { type: 'string' },
    },
    required: ['org', 'leads'],
    run: (ctx, v) => {
      const leads = integerOption(v, 'leads', SEED_LIMITS.leads);
      return seedLeads(
        ctx,
        {
          org: str(v.org),
          leads,
          stores: integerOption(v, 'stores', SEED_LIMITS.stores, SEED_LIMITS.stores.default),
          owners: integerOption(v, 'owners', SEED_LIMITS.owners, SEED_LIMITS.owners.default),
          customers: integerOption(v, 'customers', SEED_LIMITS.customers, defaultCustomers(leads)),
          randomSeed: integerOption(
            v,
            'random-seed',
            SEED_LIMITS.randomSeed,
            SEED_LIMITS.randomSeed.default,
          ),
          batchSize: integerOption(v, 'batch-size', SEED_LIMITS.batchSize, DEFAULT_BATCH_SIZE),
        },
        progressReporter('leads'),
      );
    },
  },
};
