import type { AppContext } from '../core/context.js';
import type { Config } from '../core/config.js';

/** Parsed option values of one command line (`multiple` options give arrays). */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** What every `leadline` command declares: its usage line and its options. */
type CommandLine = {
  usage: string;
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;
  /** Options that must be given. */
  required: string[];
};

/** One `leadline` command: its usage line, its options and what it does. */
export type Command = CommandLine & {
  /** Runs after pending migrations were applied (`applied` names them); returns what to print. */
  run(ctx: AppContext, values: OptionValues, applied: string[]): Promise<unknown>;
};

/**
 * A command that runs with the store neither opened nor migrated, on the configuration alone:
 * `backup` (the copy taken before an upgrade must be of the old schema) and `restore` (its
 * target must stay empty until the backup fills it).
 */
export type UnopenedCommand = CommandLine & {
  /** Returns what to print. */
  runUnopened(config: Config, values: OptionValues): Promise<unknown>;
};

/** A required string option (presence is checked before `run`). */
export function str(value: OptionValues[string]): string {
  return Array.isArray(value) ? String(value.at(-1)) : String(value);
}

/** An optional string option. */
export function optStr(value: OptionValues[string]): string | undefined {
  return value === undefined ? undefined : str(value);
}

/** A repeatable string option, as an array (empty when absent). */
export function list(value: OptionValues[string]): string[] {
  if (value === undefined || typeof value === 'boolean') return [];
  return Array.isArray(value) ? value : [value];
}
