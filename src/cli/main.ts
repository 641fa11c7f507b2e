#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../core/config.js';
import { createContext } from '../core/context.js';
import { migrateToLatest } from '../db/migrate.js';
import { AppError, ErrorCatalogue } from '../core/errors.js';
import type { Command, OptionValues, UnopenedCommand } from './command.js';
import { coreCommands } from './commands/core.js';
import { adminCommands } from './commands/admin.js';
import { fieldCommands } from './commands/fields.js';
import { autoCloseCommands } from './commands/auto-close.js';
import { seedCommands } from './commands/seed.js';
import { webhookCommands } from './commands/webhooks.js';
import { backupCommands } from './commands/backup.js';
import { closeOnSignals, startServer } from '../server.js';
import { serveWithWorkers } from '../cluster.js';
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';

/**
 * `leadline`: the service's command line. Every command prints JSON on stdout; a failure prints
 * `{"error": {"code", "message"}}` on stderr and exits 1 (2 for a usage error).
 */

const COMMANDS: Record<string, Command | UnopenedCommand> = {
  ...coreCommands,
  ...adminCommands,
  ...fieldCommands,
  ...autoCloseCommands,
  ...seedCommands,
  ...webhookCommands,
  ...backupCommands,
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
    error.code !== ErrorCatalogue.CONFIG_INVALID.code &&
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

/**
 * `serve`'s one option: `--workers N` processes sharing the port (1 to 64); 1 runs the server in
 * this process alone. By default one per core on PostgreSQL, and one on SQLite, whose single
 * writer extra processes only contend for (docs/deploy.md, "Every core", has the figures).
 */
function workersOption(args: string[], config: Config): number {
  let values: { workers?: string };
  try {
    values = parseArgs({
      args,
      options: { workers: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw AppError.of('INVALID_ARGUMENT', `${(error as Error).message}; usage: ${SERVE_USAGE}`);
  }
  if (values.workers === undefined) return config.databaseUrl ? availableParallelism() : 1;
  if (!/^\d+$/.test(values.workers) || Number(values.workers) < 1 || Number(values.workers) > 64) {
    throw AppError.of(
      'INVALID_ARGUMENT',
      `--workers must be a whole number from 1 to 64 (got ${JSON.stringify(values.workers)})`,
    );
  }
  return Number(values.workers);
}

const SERVE_USAGE = 'leadline serve [--workers N]';

function usage(): string {
  return [
    SERVE_USAGE,
    ...Object.values(COMMANDS).map((c) => c.usage),
    'leadline --help',
    'leadline --version',
  ].join('\n');
}

/** The package's version, read from the package.json next to `src/` or `dist/`. */
function version(): string {
  const file = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

const HELP = `Leadline, the lead-management service behind the Leads v2 contract.

Usage:
  ${usage().split('\n').join('\n  ')}

\`leadline serve\` starts the HTTP server (\`--workers N\` processes: by default one per core on
PostgreSQL, one on SQLite); every other command prints JSON and exits.
Configuration comes from the environment (see README.md and docs/administration.md).
`;

async function main(argv: string[]): Promise<void> {
  // Help and version never touch the store or the network: a new user's first command must not
  // start a server (and its auto-close schedule) on a real data directory.
  if (argv.length === 0 || argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write(`${version()}\n`);
    return;
  }
  const config = loadConfig();
  const words = argv.filter((a) => !a.startsWith('-'));
  if (words[0] === 'serve') {
    const workers = workersOption(argv.slice(1), config);
    if (workers === 1) {
      const server = await startServer(config);
      closeOnSignals(server);
    } else {
      await serveWithWorkers(config, workers);
    }
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
  if ('runUnopened' in command) {
    const result = await command.runUnopened(config, values);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
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
