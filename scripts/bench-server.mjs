#!/usr/bin/env node
// The server of `npm run bench`'s auth-off runs: the built server, configured by the same
// environment as `leadline serve`, but every authenticated route runs as one fixed caller
// without reading credentials (BuildAppOptions.benchmarkFixedCaller). The bench loads it with
// the same requests as the real server, to measure what authentication costs.
//
//   node scripts/bench-server.mjs --org-id N --entity-id N --entity-type TILL --code CODE
//
// Never a way to run Leadline: anyone reaching it acts as that caller.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/processes.mjs';

const dist = (file) => path.join(ROOT, 'dist', file);

const { values } = parseArgs({
  options: {
    'org-id': { type: 'string' },
    'entity-id': { type: 'string' },
    'entity-type': { type: 'string' },
    code: { type: 'string' },
  },
  strict: true,
});

function usageError(message) {
  process.stderr.write(
    `bench-server: ${message}\nusage: bench-server.mjs --org-id N --entity-id N --entity-type TYPE --code CODE\n`,
  );
  process.exit(2);
}
const positive = (name) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) usageError(`--${name} must be a positive integer`);
  return n;
};
if (!values['entity-type'] || !values.code) usageError('--entity-type and --code are required');

const { loadConfig } = await import(dist('core/config.js'));
const { startServer, closeOnSignals } = await import(dist('server.js'));
const { NEW_ORG_POLICY } = await import(dist('core/caller.js'));
const server = await startServer(loadConfig(), {
  benchmarkFixedCaller: {
    orgId: positive('org-id'),
    entityId: positive('entity-id'),
    entityType: values['entity-type'],
    code: values.code,
    // The bench never changes its org's settings; the real server reads them with the
    // credential in the same query, so this build skips no query the other one runs for them.
    org: NEW_ORG_POLICY,
  },
});
closeOnSignals(server);
