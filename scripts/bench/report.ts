// The report of `npm run bench`: the run's machine and versions, one table per store, the
// targets of issue #5 with their verdicts, and its place in docs/benchmarks.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../toolbox/processes.js';
import { median } from '../../toolbox/stats.js';
import { postgresDataDirectory, postgresVersion, type StoreKind } from '../../toolbox/stores.js';

// ---------------------------------------------------------------------------------------------
// What the bench measured

export type ScenarioKey =
  | 'statusLog'
  | 'listFirst'
  | 'listDeepOffset'
  | 'listDeepCursor'
  | 'search'
  | 'addLead'
  | 'changeStatus'
  | 'addFollowUp'
  | 'listFirstWorkers'
  | 'addLeadWorkers';

/** One measurement: a load's figures, or a storage-ceiling run's (which has no RSS). */
export type Measurement = {
  rps: number;
  p50: number | undefined;
  p99: number | undefined;
  errors: number;
  rssMb: number | undefined;
};

export type ScenarioRuns = {
  key: ScenarioKey;
  name: string;
  kind: 'read' | 'write';
  baseline: 'http' | 'storage';
  runs: Measurement[];
  authOffRuns: Measurement[];
  /** Measured against `leadline serve --workers N` (N here) instead of one process. */
  workers?: number;
  /** With `workers`: the one-process scenario it is compared with. */
  comparedWith?: ScenarioKey;
};

export type ListFilter = { status: string; ownerId: number; ownerCode: string };

export type SizeResult = {
  size: number;
  leads: number;
  matching: number;
  filter: ListFilter;
  deepOffset: number;
  deepCursorAfter: number | undefined;
  rows: ScenarioRuns[];
  http: { runs: Measurement[] };
  storage: { runs: Measurement[]; inflight: number };
};

export type StoreResult = { store: StoreKind; sizes: SizeResult[] };

export type BenchSettings = {
  mode: 'short' | 'full';
  connections: number;
  seconds: number;
  warmup: number;
  repeat: number;
  tills: number;
  sizes: number[];
  stores: StoreKind[];
  adminUrl: string | undefined;
  changes: Array<{ status: string; subStatus: string }>;
  pageSize: number;
  /** `--workers`: the processes of the `--workers` rows (1: no such rows). */
  workers: number;
};

// ---------------------------------------------------------------------------------------------
// The run: machine, versions, commit, date

export type RunDescription = {
  date: string;
  commit: string;
  cpu: string;
  cores: number;
  memGb: string;
  disk: string;
  postgresDisk: string | undefined;
  node: string;
  sqlite: string;
  postgres: string;
};

function quiet(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .replace(/\s+/g, ' ');
  } catch {
    return '';
  }
}

/** The file system and block device under `dir`: `ext4 on vda (256G, SSD)`. */
function diskOf(dir: string): string {
  const [source, fstype] = quiet('findmnt', ['-no', 'SOURCE,FSTYPE', '-T', dir]).split(' ');
  if (!source) return 'unknown';
  const device = quiet('lsblk', ['-no', 'PKNAME', source]) || source.replace('/dev/', '');
  const [size, rotational, ...model] = quiet('lsblk', [
    '-dno',
    'SIZE,ROTA,MODEL',
    `/dev/${device}`,
  ]).split(' ');
  const kind = rotational === '0' ? 'SSD' : rotational === '1' ? 'rotational or virtual' : '';
  const details = [model.join(' '), size, kind].filter(Boolean).join(', ');
  return `${fstype} on ${device}${details ? ` (${details})` : ''}`;
}

/** Everything the report's header says about where and on what the run happened. */
export async function describeRun(settings: BenchSettings): Promise<RunDescription> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const sqlite = spawnSync(
    process.execPath,
    [
      '-e',
      "const D=require('better-sqlite3');console.log(new D(':memory:').prepare('select sqlite_version() v').get().v)",
    ],
    { cwd: ROOT, encoding: 'utf8' },
  ).stdout.trim();
  const onPostgres = settings.stores.includes('postgres');
  const dirty = quiet('git', [
    '-C',
    ROOT,
    'status',
    '--porcelain',
    '--',
    '.',
    ':!docs/benchmarks.md',
  ]);
  const postgresData = onPostgres ? await postgresDataDirectory(settings.adminUrl) : undefined;
  return {
    date: new Date().toISOString().slice(0, 10),
    commit: `${quiet('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']) || 'unknown'}${dirty ? ' with uncommitted changes' : ''}`,
    cpu: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memGb: (os.totalmem() / 1024 ** 3).toFixed(1),
    disk: diskOf(os.tmpdir()),
    postgresDisk: postgresData && existsSync(postgresData) ? diskOf(postgresData) : undefined,
    node: process.version,
    sqlite,
    postgres: onPostgres ? await postgresVersion(settings.adminUrl) : 'not run',
  };
}

// ---------------------------------------------------------------------------------------------
// Figures

const f0 = (n: number | undefined): string =>
  n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US');
const f1 = (n: number | undefined): string => (n === undefined ? 'n/a' : n.toFixed(1));
const f2 = (n: number | undefined): string =>
  n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(2);
const count = (n: number): string => n.toLocaleString('en-US');
const storeName = (store: StoreKind): string => (store === 'sqlite' ? 'SQLite' : 'PostgreSQL');

type Summary = {
  rps: number | undefined;
  p50: number | undefined;
  p99: number | undefined;
  errors: number;
  rssMb: number | undefined;
  runs: number;
};

/** Medians over the rounds of one figure; errors add up, RSS is the largest seen. */
function summarize(runs: Measurement[]): Summary | undefined {
  if (runs.length === 0) return undefined;
  const rss = runs.map((r) => r.rssMb).filter((v): v is number => v !== undefined);
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    rssMb: rss.length ? Math.max(...rss) : undefined,
    runs: runs.length,
  };
}

const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined ? undefined : a / b;

const READ_LIST_KEYS: ScenarioKey[] = ['listFirst', 'listDeepOffset', 'listDeepCursor', 'search'];
/** How the targets table names a scenario. */
const SHORT_NAMES: Record<ScenarioKey, string> = {
  statusLog: 'status log',
  listFirst: 'first page',
  listDeepOffset: 'deep page by offset',
  listDeepCursor: 'deep page by cursor',
  search: 'search',
  addLead: 'add lead',
  changeStatus: 'change status',
  addFollowUp: 'add follow-up',
  listFirstWorkers: 'first page, several workers',
  addLeadWorkers: 'add lead, several workers',
};

type Figure = {
  key: ScenarioKey;
  name: string;
  kind: 'read' | 'write';
  baseline: 'http' | 'storage';
  rps: number | undefined;
  p50: number | undefined;
  p99: number | undefined;
  errors: number;
  rssMb: number | undefined;
  authOffErrors: number;
  authOffRps: number | undefined;
  ceilingRatio: number | undefined;
  authRatio: number | undefined;
  scaling: number | undefined;
  workers: number | undefined;
  comparedWith: ScenarioKey | undefined;
};

type SizeFigures = SizeResult & {
  httpSummary: Summary | undefined;
  storageSummary: (Summary & { inflight: number }) | undefined;
  figures: Figure[];
};

/** Every figure of one store and size, with its ratios. */
function figuresOf(sizeResult: SizeResult, smallest: SizeResult | undefined): SizeFigures {
  const http = summarize(sizeResult.http.runs);
  const storageRuns = summarize(sizeResult.storage.runs);
  const storage = storageRuns && { ...storageRuns, inflight: sizeResult.storage.inflight };
  const figures = sizeResult.rows.map((row): Figure => {
    const own = summarize(row.runs);
    const authOff = summarize(row.authOffRuns);
    const ceiling = row.baseline === 'storage' ? storage : http;
    const small = smallest?.rows.find((r) => r.key === row.key);
    const smallP99 = small ? summarize(small.runs)?.p99 : undefined;
    return {
      key: row.key,
      name: row.name,
      kind: row.kind,
      baseline: row.baseline,
      rps: own?.rps,
      p50: own?.p50,
      p99: own?.p99,
      errors: own?.errors ?? 0,
      rssMb: own?.rssMb,
      authOffErrors: authOff?.errors ?? 0,
      authOffRps: authOff?.rps,
      ceilingRatio: ratio(own?.rps, ceiling?.rps),
      authRatio: authOff ? ratio(own?.rps, authOff.rps) : undefined,
      scaling:
        row.kind === 'read' && smallest && row.workers === undefined
          ? ratio(own?.p99, smallP99)
          : undefined,
      workers: row.workers,
      comparedWith: row.comparedWith,
    };
  });
  return { ...sizeResult, httpSummary: http, storageSummary: storage, figures };
}

// ---------------------------------------------------------------------------------------------
// Tables

function storeSection(
  result: StoreResult,
  settings: BenchSettings,
): { markdown: string; sizes: SizeFigures[] } {
  const smallest = result.sizes[0];
  const sizes = result.sizes.map((size, i) => figuresOf(size, i > 0 ? smallest : undefined));
  const first = sizes[0];
  const lines = [`### ${storeName(result.store)}`, ''];
  if (first) {
    lines.push(
      `Lists: status \`${first.filter.status}\` and owner \`${first.filter.ownerCode}\` ` +
        `(id ${first.filter.ownerId}), ${settings.pageSize} a page; ` +
        sizes
          .map(
            (s) =>
              `at ${count(s.leads)} leads ${count(s.matching)} match, deep page at offset ` +
              `${count(s.deepOffset)}` +
              (s.deepCursorAfter === undefined ? ' (no cursor in this build)' : ''),
          )
          .join('; ') +
        '.',
      '',
    );
  }
  const scaled = sizes.length > 1 && first !== undefined;
  const header = [
    'leads',
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'max server RSS MB',
    '× ceiling',
    'auth-off req/s',
    'auth ratio',
    ...(scaled ? [`p99 ÷ p99 at ${count(first.leads)}`] : []),
  ];
  const cells = (values: Array<string | number>): string =>
    `| ${values.slice(0, header.length).join(' | ')} |`;
  lines.push(cells(header), cells(header.map((_, i) => (i === 1 ? '---' : '---:'))));
  for (const size of sizes) {
    const leads = count(size.leads);
    for (const row of size.figures) {
      // The --workers rows have no auth-off twin and no scaling of their own.
      const read = row.kind === 'read' && row.workers === undefined;
      lines.push(
        cells([
          leads,
          row.name,
          f0(row.rps),
          f2(row.p50),
          f2(row.p99),
          row.errors + row.authOffErrors,
          f1(row.rssMb),
          `${f2(row.ceilingRatio)} ${row.baseline}`,
          read ? f0(row.authOffRps) : '',
          read ? f2(row.authRatio) : '',
          read && size !== first ? f2(row.scaling) : '',
        ]),
      );
    }
    const http = size.httpSummary;
    const storage = size.storageSummary;
    lines.push(
      cells([
        leads,
        '_HTTP ceiling: bare Fastify, POST validating LeadCreateBody_',
        f0(http?.rps),
        f2(http?.p50),
        f2(http?.p99),
        http?.errors ?? 0,
        f1(http?.rssMb),
        '1.00',
        '',
        '',
        '',
      ]),
      cells([
        leads,
        `_storage ceiling: status-change transaction, no HTTP, ${size.storage.inflight} in flight_`,
        f0(storage?.rps),
        f2(storage?.p50),
        f2(storage?.p99),
        0,
        'n/a',
        '1.00',
        '',
        '',
        '',
      ]),
    );
  }
  const workerLines = sizes.flatMap((size) => {
    const compared = size.figures.flatMap((f) => {
      const one = size.figures.find((g) => g.key === f.comparedWith);
      return f.workers && one ? [{ f, one }] : [];
    });
    if (compared.length === 0) return [];
    const parts = compared.map(
      ({ f, one }) =>
        `${SHORT_NAMES[one.key]} ${f2(ratio(f.rps, one.rps))}× (${f0(f.rps)} against ${f0(one.rps)} req/s, ` +
        `p99 ${f2(f.p99)} against ${f2(one.p99)} ms)`,
    );
    const workers = compared[0]?.f.workers ?? 0;
    return [
      `\`--workers ${workers}\` against one process, at ${count(size.leads)} leads, in the same rounds: ` +
        `${parts.join('; ')}. Their RSS is not sampled (the processes are ${workers + 1}).`,
    ];
  });
  if (workerLines.length > 0) lines.push('', ...workerLines);
  return { markdown: lines.join('\n'), sizes };
}

// ---------------------------------------------------------------------------------------------
// Targets

const TARGET_LEADS = 1_000_000;
const TARGET_CONNECTIONS = 50;

function verdict(ok: boolean | undefined, caveat?: string): string {
  if (ok === undefined) return 'not measured';
  return `${ok ? 'met' : 'missed'}${caveat ? ` (${caveat})` : ''}`;
}

/** Whether every value is measured and passes `test`; undefined when none or one is missing. */
function allMeasured(values: Array<number | undefined>, test: (n: number) => boolean) {
  if (values.length === 0 || values.some((v) => v === undefined)) return undefined;
  return (values as number[]).every(test);
}

function targetRows(store: StoreKind, sizes: SizeFigures[], settings: BenchSettings): string[][] {
  const rows: string[][] = [];
  const name = storeName(store);
  const largest = sizes.at(-1);
  const smallest = sizes[0];
  const atTarget =
    largest && largest.leads >= TARGET_LEADS && settings.connections === TARGET_CONNECTIONS
      ? undefined
      : `indicative: ${largest ? count(largest.leads) : 0} leads, ${settings.connections} connections`;
  const byKey = (size: SizeFigures, keys: ScenarioKey[]): Figure[] =>
    size.figures.filter((f) => keys.includes(f.key));

  const floor = store === 'sqlite' ? 2 : 1;
  const changes = sizes.map((s) => ({ s, f: s.figures.find((f) => f.key === 'changeStatus') }));
  rows.push([
    `change status ≥ ${floor}× storage ceiling`,
    name,
    changes.map(({ s, f }) => `${f2(f?.ceilingRatio)}× at ${count(s.leads)}`).join(', '),
    verdict(
      allMeasured(
        changes.map(({ f }) => f?.ceilingRatio),
        (r) => r >= floor,
      ),
    ),
  ]);

  const lists = largest ? byKey(largest, READ_LIST_KEYS) : [];
  rows.push([
    `lists and search p99 < 10 ms at ${count(TARGET_LEADS)} leads, ${TARGET_CONNECTIONS} connections`,
    name,
    lists.map((f) => `${SHORT_NAMES[f.key]} ${f2(f.p99)} ms`).join(', '),
    verdict(
      allMeasured(
        lists.map((f) => f.p99),
        (p) => p < 10,
      ),
      atTarget,
    ),
  ]);

  const scaled = sizes.length > 1 && largest ? byKey(largest, READ_LIST_KEYS) : [];
  rows.push([
    `p99 at ${count(TARGET_LEADS)} ≤ 1.5× p99 at 10,000 (lists, search)`,
    name,
    scaled.length && largest && smallest
      ? scaled.map((f) => `${SHORT_NAMES[f.key]} ${f2(f.scaling)}×`).join(', ') +
        ` (${count(smallest.leads)} → ${count(largest.leads)})`
      : 'one data size only',
    verdict(
      allMeasured(
        scaled.map((f) => f.scaling),
        (s) => s <= 1.5,
      ),
      scaled.length &&
        largest &&
        smallest &&
        (largest.leads < TARGET_LEADS || smallest.leads > 20_000)
        ? 'indicative: not 10,000 → 1,000,000'
        : undefined,
    ),
  ]);

  // The --workers rows have no auth-off twin.
  const reads = sizes.flatMap((s) =>
    s.figures.filter((f) => f.kind === 'read' && f.workers === undefined).map((f) => ({ s, f })),
  );
  let lowest: { s: SizeFigures; f: Figure } | undefined;
  for (const r of reads) {
    if (lowest === undefined || (r.f.authRatio ?? Infinity) < (lowest.f.authRatio ?? Infinity)) {
      lowest = r;
    }
  }
  rows.push([
    'authenticated reads ≥ 0.8× auth-off',
    name,
    lowest
      ? `lowest ${f2(lowest.f.authRatio)} (${SHORT_NAMES[lowest.f.key]} at ${count(lowest.s.leads)})`
      : '',
    verdict(
      allMeasured(
        reads.map((r) => r.f.authRatio),
        (r) => r >= 0.8,
      ),
    ),
  ]);

  const rssValues = largest
    ? largest.figures.map((f) => f.rssMb).filter((v): v is number => v !== undefined)
    : [];
  const rss = rssValues.length ? Math.max(...rssValues) : undefined;
  rows.push([
    `server RSS < 300 MB at ${count(TARGET_LEADS)} leads`,
    name,
    largest ? `max ${f1(rss)} MB at ${count(largest.leads)}` : '',
    verdict(
      rss === undefined ? undefined : rss < 300,
      largest && largest.leads < TARGET_LEADS ? atTarget : undefined,
    ),
  ]);

  const errors = sizes.reduce(
    (sum, s) =>
      sum +
      s.figures.reduce((n, f) => n + f.errors + f.authOffErrors, 0) +
      (s.httpSummary?.errors ?? 0),
    0,
  );
  rows.push(['0 errors in every scenario', name, `${errors} errors`, verdict(errors === 0)]);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The whole report

/**
 * The markdown of one run (header, a table per store, the targets), formatted as the project's
 * Prettier formats docs, and the list of loads that had errors (`errors`, empty when every
 * answer was a 2xx).
 */
export async function renderReport(
  results: StoreResult[],
  settings: BenchSettings,
  run: RunDescription,
): Promise<{ markdown: string; errors: string[] }> {
  const sizes = settings.sizes.map(count).join(' and ');
  const header = [
    `## ${settings.mode === 'full' ? 'Full' : 'Short'} mode (${run.date}, commit ${run.commit})`,
    '',
    `Machine: ${run.cpu}, ${run.cores} cores, ${run.memGb} GB memory; disk ${run.disk}` +
      (run.postgresDisk ? `, PostgreSQL data on ${run.postgresDisk}` : '') +
      `. Node ${run.node}, SQLite ${run.sqlite}, PostgreSQL ${run.postgres}.`,
    '',
    `Load: ${settings.connections} connections, ${settings.seconds} s per measurement after a ` +
      `${settings.warmup} s warm-up, median of ${settings.repeat} round${settings.repeat > 1 ? 's' : ''}` +
      ` (errors summed, RSS the largest). Data: ${sizes} leads from \`leadline seed\`, ` +
      `${settings.tills} tills sending Basic auth.`,
  ].join('\n');
  const sections = results.map((result) => storeSection(result, settings));
  const targets = [
    '### Targets',
    '',
    '| target | store | figures | verdict |',
    '| --- | --- | --- | --- |',
    ...results.flatMap((result, i) =>
      targetRows(result.store, sections[i]?.sizes ?? [], settings).map(
        (cells) => `| ${cells.join(' | ')} |`,
      ),
    ),
  ].join('\n');

  const errors: string[] = [];
  results.forEach((result, i) => {
    for (const size of sections[i]?.sizes ?? []) {
      for (const f of size.figures) {
        if (f.errors > 0)
          errors.push(`${result.store} ${count(size.leads)} ${f.name}: ${f.errors}`);
        if (f.authOffErrors > 0) {
          errors.push(
            `${result.store} ${count(size.leads)} ${f.name} (auth off): ${f.authOffErrors}`,
          );
        }
      }
      const httpErrors = size.httpSummary?.errors ?? 0;
      if (httpErrors > 0) errors.push(`${result.store} HTTP ceiling: ${httpErrors}`);
    }
  });
  const markdown = [header, ...sections.map((s) => s.markdown), targets].join('\n\n');
  return { markdown: await formatMarkdown(markdown), errors };
}

/** Prettier, with the project's configuration: docs/benchmarks.md must pass `npm run check`. */
async function formatMarkdown(markdown: string): Promise<string> {
  const prettier = await import('prettier');
  const options = await prettier.resolveConfig(path.join(ROOT, 'docs', 'benchmarks.md'));
  return (await prettier.format(markdown, { ...options, parser: 'markdown' })).trimEnd();
}

/** Puts `markdown` between docs/benchmarks.md's BENCH:<mode> markers (appended if missing). */
export function writeReport(docPath: string, mode: string, markdown: string): void {
  const begin = `<!-- BENCH:${mode}:BEGIN -->`;
  const end = `<!-- BENCH:${mode}:END -->`;
  let doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Benchmarks\n';
  const block = `${begin}\n\n${markdown}\n\n${end}`;
  const at = doc.indexOf(begin);
  const until = doc.indexOf(end);
  doc =
    at >= 0 && until > at
      ? doc.slice(0, at) + block + doc.slice(until + end.length)
      : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(docPath, doc);
}
