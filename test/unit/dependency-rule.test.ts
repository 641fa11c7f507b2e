import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDependencies, folderCycles } from '../../scripts/check-dependencies.js';

const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A throw-away project with the real rule and a src/ made of `files` (path -> source). */
function projectWith(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'leadline-rule-'));
  copyFileSync(
    path.join(project, '.dependency-cruiser.cjs'),
    path.join(root, '.dependency-cruiser.cjs'),
  );
  copyFileSync(path.join(project, 'tsconfig.json'), path.join(root, 'tsconfig.json'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('the dependency rule (npm run check)', () => {
  it('finds no violation in the tree', () => {
    assert.deepEqual(checkDependencies(project), []);
  });

  it('names an upward import, a feature internal, a cycle, a folder cycle and an import of the toolbox', () => {
    const root = projectWith({
      'src/db/schema.ts':
        "import { AppError } from '../core/errors.js';\nexport const t = AppError;\n",
      'src/core/errors.ts': 'export class AppError extends Error {}\n',
      'src/core/caller.ts': "import { lead } from '../leads/index.js';\nexport const c = lead;\n",
      'src/http/hooks.ts':
        "import { reason } from '../reasons/index.js';\nexport const h = reason;\n",
      'src/leads/index.ts': "export { lead } from './lead.service.js';\n",
      'src/leads/lead.service.ts':
        "import { findReason } from '../reasons/reason.repository.js';\nimport { main } from '../app.js';\nexport const lead = [findReason, main];\n",
      'src/reasons/index.ts': "export { reason } from './reason.service.js';\n",
      'src/reasons/reason.service.ts':
        "import { lead } from '../leads/index.js';\nexport const reason = lead;\n",
      'src/reasons/reason.repository.ts': 'export const findReason = 1;\n',
      'src/app.ts': "import { ROOT } from '../toolbox/processes.js';\nexport const main = ROOT;\n",
      'toolbox/processes.ts': "export const ROOT = '/';\n",
      'src/orgs/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'src/orgs/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    });
    try {
      const problems = checkDependencies(root);
      const expected = [
        'core-imports-core-and-db: src/core/caller.ts -> src/leads/index.ts',
        'db-is-the-bottom: src/db/schema.ts -> src/core/errors.ts',
        'features-meet-at-their-index: src/leads/lead.service.ts -> src/reasons/reason.repository.ts',
        'features-never-import-upward: src/leads/lead.service.ts -> src/app.ts',
        'http-imports-core-and-db: src/http/hooks.ts -> src/reasons/index.ts',
        'no-cycles: src/orgs/a.ts -> src/orgs/b.ts',
        'src-stands-alone: src/app.ts -> toolbox/processes.ts',
      ];
      for (const problem of expected)
        assert.ok(problems.includes(problem), `${problem} in ${problems.join('\n')}`);
      assert.ok(
        problems.some((p) => p.startsWith('no-folder-cycles: ') && p.includes('leads -> reasons')),
        problems.join('\n'),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('spells each folder cycle once', () => {
    const edges = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c', 'a'])],
      ['c', new Set(['a'])],
    ]);
    assert.deepEqual(folderCycles(edges), ['a -> b -> a', 'a -> b -> c -> a']);
  });
});
