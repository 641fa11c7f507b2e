import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from './openapi.js';

/**
 * Lints the published OpenAPI document with two third-party tools, Redocly (`redocly.yaml`) and
 * Spectral (`.spectral.yaml`): any error or warning fails `npm run check`. The document is the
 * one `GET /openapi.json` serves, built in-process.
 */

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

type Tool = { name: string; bin: string; args: (file: string) => string[] };

const TOOLS: Tool[] = [
  {
    name: 'redocly',
    bin: 'node_modules/@redocly/cli/bin/cli.js',
    args: (file) => ['lint', file, '--config', 'redocly.yaml', '--max-problems', '50'],
  },
  {
    name: 'spectral',
    bin: 'node_modules/@stoplight/spectral-cli/dist/index.js',
    args: (file) => ['lint', file, '--ruleset', '.spectral.yaml', '--fail-severity', 'hint'],
  },
];

const dir = mkdtempSync(path.join(tmpdir(), 'leadline-openapi-lint-'));
let failed = false;
try {
  const file = path.join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(await openApiDocument(), null, 2));
  for (const tool of TOOLS) {
    const run = spawnSync(process.execPath, [path.join(root, tool.bin), ...tool.args(file)], {
      cwd: root,
      encoding: 'utf8',
      // Redocly's telemetry and update check need a network this check must not depend on.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    const output = `${run.stdout}${run.stderr}`;
    // Both exit non-zero on any problem: Redocly's strict ruleset makes every rule an error,
    // Spectral fails from the lowest severity.
    if (run.status !== 0) {
      failed = true;
      process.stderr.write(`openapi: ${tool.name} found problems\n${output}\n`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (failed) process.exit(1);
process.stdout.write('openapi: redocly and spectral find no problem\n');
