import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/core/config.js';
import { createContext } from '../src/core/context.js';
import { migrateToLatest } from '../src/db/migrate.js';

/**
 * The published OpenAPI document, exactly as `GET /openapi.json` serves it: the app is built
 * in-process on a throw-away SQLite store, so no server or network is needed.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-openapi-'));
  const ctx = createContext(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
  try {
    await migrateToLatest(ctx.store);
    const app = await buildApp(ctx, { logger: false });
    try {
      const response = await app.inject({ method: 'GET', url: '/openapi.json' });
      if (response.statusCode !== 200) throw new Error(`/openapi.json: ${response.statusCode}`);
      return response.json();
    } finally {
      await app.close();
    }
  } finally {
    await ctx.store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  const text = JSON.stringify(await openApiDocument(), null, 2) + '\n';
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}
