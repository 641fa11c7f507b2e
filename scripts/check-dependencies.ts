/**
 * The dependency rule of docs/architecture.md, run by `npm run check`: dependency-cruiser checks
 * the rules of `.dependency-cruiser.cjs` module by module; this script adds what it cannot say,
 * that no two feature folders reach each other (a cycle between folders, even through index.ts).
 *
 * Usage: tsx scripts/check-dependencies.ts [ROOT]   (ROOT: a project with src/, default: .)
 * Exits 1 and lists every violation when there is one.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

type Cruised = {
  modules: Array<{ source: string; dependencies: Array<{ resolved: string }> }>;
  summary: { violations: Array<{ from: string; to: string; rule: { name: string } }> };
};

/** The top folder of a source path, or undefined for files directly in src/. */
function folderOf(source: string): string | undefined {
  const parts = source.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

/** Folder cycles as readable paths: `a -> b -> a`. */
export function folderCycles(edges: Map<string, Set<string>>): string[] {
  const cycles = new Set<string>();
  const visit = (start: string, at: string, trail: string[]): void => {
    for (const next of edges.get(at) ?? []) {
      if (next === start) {
        const cycle = [...trail, start];
        // One spelling per cycle: rotated to start at its smallest folder.
        const ring = cycle.slice(0, -1);
        const min = ring.indexOf([...ring].sort()[0]!);
        const rotated = [...ring.slice(min), ...ring.slice(0, min)];
        cycles.add([...rotated, rotated[0]].join(' -> '));
      } else if (!trail.includes(next) && next > start) {
        visit(start, next, [...trail, next]);
      }
    }
  };
  for (const start of [...edges.keys()].sort()) visit(start, start, [start]);
  return [...cycles].sort();
}

export function checkDependencies(root: string): string[] {
  const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const cli = path.join(
    project,
    'node_modules',
    'dependency-cruiser',
    'bin',
    'dependency-cruise.mjs',
  );
  const output = execFileSync(
    process.execPath,
    [cli, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
    { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  const cruised = JSON.parse(output) as Cruised;
  const problems = cruised.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
  const edges = new Map<string, Set<string>>();
  for (const module of cruised.modules) {
    const from = folderOf(module.source);
    if (from === undefined) continue;
    for (const dependency of module.dependencies) {
      const to = folderOf(dependency.resolved);
      if (to === undefined || to === from) continue;
      edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  for (const cycle of folderCycles(edges)) problems.push(`no-folder-cycles: ${cycle}`);
  return problems;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const problems = checkDependencies(path.resolve(process.argv[2] ?? '.'));
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  if (problems.length > 0) {
    process.stderr.write(
      `${problems.length} dependency rule violation(s); see docs/architecture.md\n`,
    );
    process.exit(1);
  }
  process.stdout.write('dependency rule: no violations\n');
}
