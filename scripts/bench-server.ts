// The server of `npm run bench`'s auth-off runs: the built server, configured by the same
// environment as `leadline serve`, but every authenticated route runs as one fixed caller
// without reading credentials (BuildAppOptions.benchmarkFixedCaller). The bench loads it with
// the same requests as the real server, to measure what authentication costs.
//
//   node --import tsx scripts/bench-server.ts --org-id N --entity-id N --entity-type TILL --code CODE
//
// It runs the build (dist/), as the server it is compared with does; only this file goes
// through tsx. Never a way to run Leadline: anyone reaching it acts as that caller.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../toolbox/processes.js';
import type { EntityType } from '../src/db/schema.js';
import type * as ConfigModule from '../src/core/config.js';
import type * as ServerModule from '../src/server.js';
import type * as CallerModule from '../src/core/caller.js';

const dist = (file: string): string => path.join(ROOT, 'dist', file);

const { values } = parseArgs({
  options: {
    'org-id': { type: 'string' },
    'entity-id': { type: 'string' },
    'entity-type': { type: 'string' },
    code: { type: 'string' },
  },
  strict: true,
});

function usageError(message: string): never {
  process.stderr.write(
    `bench-server: ${message}\nusage: bench-server.ts --org-id N --entity-id N --entity-type TYPE --code CODE\n`,
  );
  process.exit(2);
}
const positive = (name: 'org-id' | 'entity-id'): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) usageError(`--${name} must be a positive integer`);
  return n;
};
const entityType = values['entity-type'];
const code = values.code;
if (!entityType || !code) usageError('--entity-type and --code are required');

const { loadConfig } = (await import(dist('core/config.js'))) as typeof ConfigModule;
const { startServer, closeOnSignals } = (await import(dist('server.js'))) as typeof ServerModule;
const { NEW_ORG_POLICY } = (await import(dist('core/caller.js'))) as typeof CallerModule;
const server = await startServer(loadConfig(), {
  benchmarkFixedCaller: {
    orgId: positive('org-id'),
    entityId: positive('entity-id'),
    entityType: entityType as EntityType,
    code,
    // The bench never changes its org's settings; the real server reads them with the
    // credential in the same query, so this build skips no query the other one runs for them.
    org: NEW_ORG_POLICY,
  },
});
closeOnSignals(server);
