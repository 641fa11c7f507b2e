#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { migrateToLatest } from '../db/migrate.js';
import { AppError } from '../http/errors.js';
import { createOrg } from '../orgs/org.service.js';
import { createEntity } from '../entities/entity.service.js';
import { createOauthClient } from '../auth/oauth.service.js';
import { seedDemo } from '../demo/seed-demo.js';
import { closeOnSignals, startServer } from '../server.js';

/**
 * `leadline`: the service's command line. Every command prints JSON on stdout; a failure prints
 * `{"error": {"code", "message"}}` on stderr and exits 1 (2 for a usage error).
 */

type Options = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

type Command = {
  usage: string;
  options: Options;
  required: string[];
  run(
    ctx: AppContext,
    values: Record<string, string | boolean | undefined>,
    applied: string[],
  ): Promise<unknown>;
};

const str = (v: string | boolean | undefined): string => String(v);
const optStr = (v: string | boolean | undefined): string | undefined =>
  v === undefined ? undefined : String(v);

const COMMANDS: Record<string, Command> = {
  migrate: {
    usage: 'leadline migrate',
    options: {},
    required: [],
    // Every command migrates first; this one only reports what that applied.
    run: async (_ctx, _values, applied) => ({ applied }),
  },
  'org create': {
    usage: 'leadline org create --name NAME',
    options: { name: { type: 'string' } },
    required: ['name'],
    run: (ctx, v) => createOrg(ctx, str(v.name)),
  },
  'entity create': {
    usage:
      'leadline entity create --org NAME --type TYPE --code CODE [--parent CODE] [--password PASSWORD]',
    options: {
      org: { type: 'string' },
      type: { type: 'string' },
      code: { type: 'string' },
      parent: { type: 'string' },
      password: { type: 'string' },
    },
    required: ['org', 'type', 'code'],
    run: (ctx, v) =>
      createEntity(ctx, {
        org: str(v.org),
        type: str(v.type),
        code: str(v.code),
        parent: optStr(v.parent),
        password: optStr(v.password),
      }),
  },
  'oauth-client create': {
    usage: 'leadline oauth-client create --org NAME --entity CODE',
    options: { org: { type: 'string' }, entity: { type: 'string' } },
    required: ['org', 'entity'],
    run: (ctx, v) => createOauthClient(ctx, { org: str(v.org), entity: str(v.entity) }),
  },
  'seed-demo': {
    usage: 'leadline seed-demo [--name NAME] [--leads N]',
    options: { name: { type: 'string' }, leads: { type: 'string' } },
    required: [],
    run: (ctx, v) => {
      const leads = v.leads === undefined ? 300 : Number(v.leads);
      if (!Number.isInteger(leads) || leads < 0 || leads > 100_000) {
        throw AppError.of('INVALID_ARGUMENT', '--leads must be an integer from 0 to 100000');
      }
      return seedDemo(ctx, { name: optStr(v.name) ?? 'Demo Retail', leads });
    },
  },
};

function fail(error: unknown): never {
  const body =
    error instanceof AppError
      ? { code: error.code, message: error.message }
      : { code: 1000, message: error instanceof Error ? error.message : String(error) };
  process.stderr.write(`${JSON.stringify({ error: body })}\n`);
  process.exit(error instanceof AppError && error.code === 1304 ? 2 : 1);
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
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: argv.slice(name.split(' ').length),
      options: command.options,
      strict: true,
      allowPositionals: false,
    });
    values = parsed.values as Record<string, string | boolean | undefined>;
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
