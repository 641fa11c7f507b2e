#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createContext } from '../context.js';
import { migrateToLatest } from '../db/migrate.js';
import { AppError, ErrorCatalogue } from '../http/errors.js';
import type { Command, OptionValues } from './command.js';
import { coreCommands } from './commands/core.js';
import { adminCommands } from './commands/admin.js';
import { fieldCommands } from './commands/fields.js';
import { autoCloseCommands } from './commands/auto-close.js';
import { seedCommands } from './commands/seed.js';
import { closeOnSignals, startServer } from '../server.js';

/**
 * `leadline`: the service's command line. Every command prints JSON on stdout; a failure prints
 * `{"error": {"code", "message"}}` on stderr and exits 1 (2 for a usage error).
 */

const COMMANDS: Record<string, Command> = {
  ...coreCommands,
  ...adminCommands,
  ...fieldCommands,
  ...autoCloseCommands,
  ...seedCommands,
};

/** `autoCloseDays must be …` -> `--auto-close-days must be …`: services name fields, not options. */
function asOption(message: string): string {
  return message.replace(
    /^[a-z][A-Za-z]*/,
    (field) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
  );
}

function fail(error: unknown): never {
  // A service's bad-field error is, on the command line, a bad option: a usage error.
  const usageError =
    error instanceof AppError &&
    (error.code === ErrorCatalogue.INVALID_ARGUMENT.code || error.statusCode === 400);
  const body =
    error instanceof AppError
      ? usageError
        ? {
            code: ErrorCatalogue.INVALID_ARGUMENT.code,
            message:
              error.code === ErrorCatalogue.INVALID_ARGUMENT.code
                ? error.message
                : error.items.map((i) => asOption(i.message)).join('; '),
          }
        : { code: error.code, message: error.message }
      : {
          code: ErrorCatalogue.INTERNAL.code,
          message: error instanceof Error ? error.message : String(error),
        };
  process.stderr.write(`${JSON.stringify({ error: body })}\n`);
  process.exit(usageError ? 2 : 1);
}

function usage(): string {
  return ['leadline serve', ...Object.values(COMMANDS).map((c) => c.usage)].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const config = loadConfig();
  const words = argv.filter((a) => !a.startsWith('-'));
  if (words[0] === 'serve' || words.length === 0) {
    const server = await startServer(config);
    closeOnSignals(server);
    return;
  }
  const name = COMMANDS[`${words[0]} ${words[1]}`] ? `${words[0]} ${words[1]}` : String(words[0]);
  const command = COMMANDS[name];
  if (!command)
    throw AppError.of('INVALID_ARGUMENT', `unknown command ${name}; commands:\n${usage()}`);
  let values: OptionValues;
  try {
    const parsed = parseArgs({
      args: argv.slice(name.split(' ').length),
      options: command.options,
      strict: true,
      allowPositionals: false,
    });
    values = parsed.values as OptionValues;
  } catch (error) {
    throw AppError.of('INVALID_ARGUMENT', `${(error as Error).message}; usage: ${command.usage}`);
  }
  const missing = command.required.filter((key) => values[key] === undefined);
  if (missing.length > 0) {
    throw AppError.of(
      'INVALID_ARGUMENT',
      `--${missing.join(', --')} required; usage: ${command.usage}`,
    );
  }
  const ctx = createContext(config);
  try {
    const applied = await migrateToLatest(ctx.store);
    const result = await command.run(ctx, values, applied);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await ctx.store.close();
  }
}

main(process.argv.slice(2)).catch(fail);
