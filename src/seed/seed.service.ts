// Longer than 300 lines because the seed's set-up (org, entities, reasons, sub-statuses, customers)
// and its batch loop share one plan and one summary; the generator, the worker and the bulk writers
// are their own files.
import type { AppContext } from '../core/context.js';
import type { EntityType, LeadStatus } from '../db/schema.js';
import { AppError, ErrorCatalogue } from '../core/errors.js';
import { cliActor } from '../core/actor.js';
import { DAY_MS } from '../core/date-time.js';
import { groupBy } from '../core/group-by.js';
import { createOrg } from '../orgs/org.service.js';
import { findOrgByName, type OrgRow } from '../orgs/org.repository.js';
import { addEntity } from '../entities/entity.service.js';
import { listChannels } from '../channels/channel.repository.js';
import {
  findReasonByText,
  insertReason,
  listReasons,
  reasonKey,
  SYSTEM_REASONS,
} from '../reasons/reason.repository.js';
import { insertSubStatus, listSubStatuses } from '../sub-statuses/sub-status.repository.js';
import { listFields } from '../extended-fields/extended-field.repository.js';
import { findAutoCloseDays } from '../auto-close/auto-close.repository.js';
import { normaliseEmail, normaliseMobile } from '../customers/identifier.js';
import type { SeedPlan } from './seed.data.js';
import { batchSource } from './seed.batches.js';
import { SeedRandom } from './seed.random.js';
import {
  countOrgLeads,
  insertNewCustomers,
  listOrgEntities,
  type NewCustomer,
} from './seed.repository.js';

/**
 * `leadline seed`: loads many realistic leads into one org, fast. The org, its store hierarchy,
 * reasons, sub-statuses and customers go through the usual services and repositories (a few
 * hundred rows); the leads and their history are generated in batches and written straight into
 * the tables by a bulk writer per store, one transaction per batch.
 */

/** Bounds and defaults of the options; the command line reports a value outside them. */
export const SEED_LIMITS = {
  leads: { min: 1, max: 10_000_000 },
  stores: { min: 1, max: 500, default: 25 },
  owners: { min: 1, max: 5_000, default: 60 },
  customers: { min: 1, max: 1_000_000 },
  randomSeed: { min: 0, max: 4_294_967_295, default: 1 },
  batchSize: { min: 1, max: 100_000 },
} as const;

/**
 * Leads per transaction unless told. 10,000 holds SQLite's write lock for a few tenths of a
 * second (a server beside the seed waits at most about that long to write); larger batches
 * measured no faster on either store.
 */
export const DEFAULT_BATCH_SIZE = 10_000;

/** Customers a run creates unless told: one per five leads, at most 5000. */
export function defaultCustomers(leads: number): number {
  return Math.min(5_000, Math.max(1, Math.ceil(leads / 5)));
}

export type SeedOptions = {
  org: string;
  leads: number;
  stores: number;
  owners: number;
  customers: number;
  randomSeed: number;
  batchSize: number;
};

export type SeedSummary = {
  org: { id: number; name: string };
  leads: number;
  firstLeadId: number;
  lastLeadId: number;
  customers: number;
  statusLogs: number;
  followUps: number;
  stores: number;
  tills: number;
  owners: number;
  seconds: number;
  leadsPerSecond: number;
};

/** Called before the first batch (0) and after each committed batch. */
export type SeedProgress = (done: number, total: number) => void;

/** Leads are spread over the two years before the run. */
const WINDOW_DAYS = 730;
/** Stores per zone of the generated hierarchy. */
const STORES_PER_ZONE = 8;
/** Customers created per transaction (4 parameters each, far below SQLite's bound). */
const CUSTOMERS_PER_INSERT = 2_000;
/** The auto-close period of generated system closes when the org sets none. */
const DEFAULT_AUTO_CLOSE_DAYS = 30;

/** The reasons the seed makes sure of, by the status a change with that reason moves to. */
const SEED_REASONS: ReadonlyArray<[LeadStatus, readonly string[]]> = [
  ['OPEN', ['Stock arrived', 'Customer called back']],
  ['ON_HOLD', ['Size not in stock', 'Colour not in stock', 'Customer travelling']],
  ['WON', ['Purchased in store', 'Purchased online']],
  [
    'LOST',
    [
      'Price too high',
      'Bought elsewhere',
      'Customer not reachable',
      'Product discontinued',
      'Customer changed their mind',
    ],
  ],
  ['DELETED', ['Duplicate lead', 'Created by mistake']],
];
const SEED_SUB_STATUSES: ReadonlyArray<[LeadStatus, readonly string[]]> = [
  ['OPEN', ['Contacted', 'AwaitingCallback']],
  ['ON_HOLD', ['AwaitingStock', 'CustomerTravelling']],
  ['WON', ['BoughtInStore', 'BoughtOnline']],
  ['LOST', ['PriceIssue', 'BoughtElsewhere', 'NotReachable']],
  ['DELETED', ['Duplicate', 'CreatedByMistake']],
];

const FIRST_NAMES = [
  'aarav',
  'ananya',
  'vivaan',
  'diya',
  'aditya',
  'isha',
  'arjun',
  'kavya',
  'rohan',
  'meera',
  'kabir',
  'saanvi',
  'omar',
  'fatima',
  'james',
  'olivia',
  'liam',
  'amelia',
  'noah',
  'sofia',
  'wei',
  'mei',
  'hiro',
  'yuki',
];
const LAST_NAMES = [
  'sharma',
  'patel',
  'iyer',
  'reddy',
  'nair',
  'gupta',
  'khan',
  'singh',
  'das',
  'menon',
  'rao',
  'joshi',
  'smith',
  'jones',
  'brown',
  'taylor',
  'chen',
  'wang',
  'tanaka',
  'sato',
];
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example.com'];

/**
 * The prefix of the seed's entity codes in an org: the org name in lower case with runs of other
 * characters as `-`, so codes read well and stay valid (`CODE_PATTERN`).
 *
 * @example codePrefix('Bench Retail #2') // 'bench-retail-2'
 */
export function codePrefix(orgName: string): string {
  const slug = orgName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'seed' : slug;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

async function findOrCreateOrg(ctx: AppContext, name: string): Promise<OrgRow> {
  const existing = await findOrgByName(ctx.store.db, name);
  if (existing) return existing;
  try {
    return await createOrg(ctx, name);
  } catch (error) {
    // Another process created it meanwhile: seed that one.
    if (!(error instanceof AppError) || error.code !== ErrorCatalogue.ORG_EXISTS.code) throw error;
    const raced = await findOrgByName(ctx.store.db, name);
    if (!raced) throw error;
    return raced;
  }
}

type Hierarchy = Pick<SeedPlan, 'stores' | 'owners'> & { tills: number };

/**
 * Makes sure the org has the seed's hierarchy, creating what is missing through the entity
 * service (so each creation is audited like any other): zones, `stores` stores under them with
 * two to four tills each, and `owners` associates and staff spread over the stores. Codes are
 * fixed by position, so a later run finds and reuses what an earlier one made.
 *
 * Answers each store with every till and every associate or staff member under it, including
 * ones the org made itself.
 */
async function ensureHierarchy(
  ctx: AppContext,
  org: OrgRow,
  options: Pick<SeedOptions, 'stores' | 'owners'>,
): Promise<Hierarchy> {
  const prefix = codePrefix(org.name);
  const actor = cliActor(org.id);
  const byCode = new Map((await listOrgEntities(ctx.store.db, org.id)).map((e) => [e.code, e]));
  const ensure = async (type: EntityType, code: string, parent?: string): Promise<number> => {
    const found = byCode.get(code);
    if (found) {
      if (found.type !== type) {
        throw AppError.of(
          'ENTITY_EXISTS',
          `entity ${code} exists already as a ${found.type}; the seed needs it as a ${type}`,
        );
      }
      return found.id;
    }
    const created = await addEntity(ctx, actor, { type, code, parent });
    byCode.set(code, { id: created.id, type, code, parent_id: created.parentId ?? null });
    return created.id;
  };

  const zones = Math.ceil(options.stores / STORES_PER_ZONE);
  const zoneCode = (z: number) => `${prefix}-zone-${pad(z, 2)}`;
  const storeCode = (s: number) => `${prefix}-store-${pad(s, 3)}`;
  for (let z = 1; z <= zones; z += 1) await ensure('ZONE', zoneCode(z));
  const storeIds: number[] = [];
  for (let s = 1; s <= options.stores; s += 1) {
    storeIds.push(await ensure('STORE', storeCode(s), zoneCode(((s - 1) % zones) + 1)));
    const tills = 2 + (s % 3);
    for (let t = 1; t <= tills; t += 1) {
      await ensure('TILL', `${storeCode(s)}-till-${t}`, storeCode(s));
    }
  }
  const ownerIds: number[] = [];
  for (let o = 1; o <= options.owners; o += 1) {
    // One owner in five is staff; the rest are sales associates.
    const type = o % 5 === 0 ? 'STAFF' : 'ASSOCIATE';
    const store = storeCode(((o - 1) % options.stores) + 1);
    ownerIds.push(await ensure(type, `${prefix}-${type.toLowerCase()}-${pad(o, 3)}`, store));
  }

  const children = groupBy(byCode.values(), (entity) => entity.parent_id);
  const stores = storeIds.map((id) => {
    const under = children.get(id) ?? [];
    return {
      tills: under.filter((e) => e.type === 'TILL').map((e) => e.id),
      owners: under.filter((e) => e.type === 'ASSOCIATE' || e.type === 'STAFF').map((e) => e.id),
    };
  });
  const owners = [...new Set([...ownerIds, ...stores.flatMap((s) => s.owners)])];
  return { stores, owners, tills: stores.reduce((n, s) => n + s.tills.length, 0) };
}

/** Adds the seed's reasons and sub-statuses the org does not have yet. */
async function ensureReasonsAndSubStatuses(ctx: AppContext, orgId: number): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.transaction(async (trx) => {
    for (const reason of SEED_REASONS.flatMap(([, reasons]) => reasons)) {
      if (!(await findReasonByText(trx, orgId, reason))) {
        await insertReason(trx, orgId, reason, now);
      }
    }
    for (const [status, subStatuses] of SEED_SUB_STATUSES) {
      for (const subStatus of subStatuses)
        await insertSubStatus(trx, orgId, status, subStatus, now);
    }
  });
}

/** `n` random digits. */
function digits(random: SeedRandom, n: number): string {
  let text = '';
  for (let i = 0; i < n; i += 1) text += String(random.int(0, 9));
  return text;
}

/**
 * A new customer with one identifier, as the lead service creates them: an E.164 mobile (mostly
 * Indian, some from the UAE and the UK) or an email on a reserved example domain. Each is
 * checked by the service's own normalisers, so it is exactly what a look-up would find.
 */
function newCustomer(random: SeedRandom, createdOn: number): NewCustomer {
  for (;;) {
    if (random.chance(0.6)) {
      const roll = random.next();
      const mobile =
        roll < 0.85
          ? `+91${random.int(6, 9)}${digits(random, 9)}`
          : roll < 0.93
            ? `+9715${random.pick(['0', '2', '4', '5', '6', '8'])}${digits(random, 7)}`
            : `+447${random.pick(['1', '2', '3', '4', '5', '7', '8', '9'])}${digits(random, 8)}`;
      if (normaliseMobile(mobile, null) === mobile) {
        return { email: null, mobile, created_on: createdOn };
      }
    } else {
      const email = `${random.pick(FIRST_NAMES)}.${random.pick(LAST_NAMES)}${random.int(1, 9999)}@${random.pick(EMAIL_DOMAINS)}`;
      if (normaliseEmail(email) === email) return { email, mobile: null, created_on: createdOn };
    }
  }
}

/**
 * Creates `count` customers whose identifiers the org does not have, in ascending id order.
 * Customers joined in the year before the lead window, so each exists before its first lead.
 */
async function createCustomers(
  ctx: AppContext,
  orgId: number,
  count: number,
  random: SeedRandom,
  windowStart: number,
): Promise<number[]> {
  const ids: number[] = [];
  let fruitless = 0;
  while (ids.length < count) {
    const wanted = Math.min(CUSTOMERS_PER_INSERT, count - ids.length);
    const drawn = new Map<string, NewCustomer>();
    while (drawn.size < wanted) {
      const customer = newCustomer(random, windowStart - random.int(1, 365 * 24 * 60) * 60_000);
      drawn.set(customer.email ?? customer.mobile ?? '', customer);
    }
    const inserted = await ctx.store.transaction((trx) =>
      insertNewCustomers(trx, orgId, [...drawn.values()]),
    );
    ids.push(...inserted.map((c) => c.id).sort((a, b) => a - b));
    fruitless = inserted.length === 0 ? fruitless + 1 : 0;
    if (fruitless >= 5) throw new Error('no free customer identifiers left to draw');
  }
  return ids;
}

/**
 * Seeds `options.leads` leads into the org named `options.org`, creating the org (through the
 * org service) when it does not exist and appending to it when it does. Reports progress after
 * each committed batch; answers what it wrote.
 *
 * @example await seedLeads(ctx, { org: 'bench', leads: 1000, stores: 25, owners: 60, customers: 200, randomSeed: 1, batchSize: 20000 });
 */
export async function seedLeads(
  ctx: AppContext,
  options: SeedOptions,
  onProgress: SeedProgress = () => {},
): Promise<SeedSummary> {
  const started = performance.now();
  const name = options.org.trim();
  if (name === '' || name.length > 200) {
    throw AppError.of('INVALID_ARGUMENT', '--org must be 1 to 200 characters');
  }
  const { db } = ctx.store;
  const org = await findOrCreateOrg(ctx, name);
  const hierarchy = await ensureHierarchy(ctx, org, options);
  await ensureReasonsAndSubStatuses(ctx, org.id);

  // The run's own seed: the same options on the same store give the same rows, and a run that
  // appends to an org does not repeat the rows of the run before it.
  const existingLeads = await countOrgLeads(db, org.id);
  const runSeed = (options.randomSeed ^ Math.imul(existingLeads, 0x27d4eb2d)) >>> 0;

  const end = ctx.clock.now();
  const start = end - WINDOW_DAYS * DAY_MS;
  const customers = await createCustomers(
    ctx,
    org.id,
    options.customers,
    new SeedRandom(runSeed, 2),
    start,
  );
  const reasons = await listReasons(db, org.id);
  const apiCall = reasons.find((r) => r.reason === SYSTEM_REASONS.APICALL);
  const autoClose = reasons.find((r) => r.reason === SYSTEM_REASONS.AUTO_CLOSE);
  if (!apiCall || !autoClose) throw new Error(`org ${org.name} lacks its system reasons`);
  const system = new Set<string>(Object.values(SYSTEM_REASONS));
  const ownReasons = reasons.filter((r) => !system.has(r.reason));
  const reasonsByStatus = new Map<LeadStatus, number[]>();
  for (const [status, texts] of SEED_REASONS) {
    const keys = new Set(texts.map(reasonKey));
    const ids = ownReasons.filter((r) => keys.has(reasonKey(r.reason))).map((r) => r.id);
    reasonsByStatus.set(status, ids.length > 0 ? ids : ownReasons.map((r) => r.id));
  }
  const subStatuses = new Map(
    [...groupBy(await listSubStatuses(db, org.id), (row) => row.status)].map(
      ([status, rows]) => [status, rows.map((row) => row.sub_status)] as const,
    ),
  );
  const plan: SeedPlan = {
    ...hierarchy,
    customers,
    channels: (await listChannels(db, org.id)).map((c) => c.source_id),
    apiCallReasonId: apiCall.id,
    autoCloseReasonId: autoClose.id,
    reasonsByStatus,
    subStatuses,
    fields: await listFields(db, org.id, 'LEAD'),
    autoCloseDays: (await findAutoCloseDays(db, org.id)) ?? DEFAULT_AUTO_CLOSE_DAYS,
    start,
    end,
  };

  const writer = ctx.store.bulkWriter();
  const batches = batchSource(
    { plan, total: options.leads, randomSeed: runSeed },
    options.batchSize,
  );
  let done = 0;
  let statusLogs = 0;
  let followUps = 0;
  let firstLeadId = Number.POSITIVE_INFINITY;
  let lastLeadId = 0;
  // Batches in flight, oldest first. The next batch is generated while they are written.
  const inFlight: Array<Promise<void>> = [];
  onProgress(0, options.leads);
  try {
    for (let batch = await batches.next(); batch; batch = await batches.next()) {
      const { size, statusLogs: logs, followUps: fus } = batch;
      const writing = writer.write(org.id, batch).then((written) => {
        firstLeadId = Math.min(firstLeadId, written.firstLeadId);
        lastLeadId = Math.max(lastLeadId, written.lastLeadId);
        done += size;
        statusLogs += logs.count;
        followUps += fus.count;
        onProgress(done, options.leads);
      });
      // Marked handled here, awaited below: a batch that fails while an older one is still
      // awaited must not end the process as an unhandled rejection.
      writing.catch(() => {});
      inFlight.push(writing);
      if (inFlight.length >= writer.parallel) await inFlight.shift();
    }
    while (inFlight.length > 0) await inFlight.shift();
  } finally {
    // After a failed batch too: let the others end (each commits or rolls back whole), then
    // leave the store as usual. The batches committed before stay.
    await Promise.allSettled(inFlight);
    await batches.close();
    await writer.finish();
  }

  const seconds = (performance.now() - started) / 1000;
  return {
    org: { id: org.id, name: org.name },
    leads: done,
    firstLeadId: done === 0 ? 0 : firstLeadId,
    lastLeadId,
    customers: customers.length,
    statusLogs,
    followUps,
    stores: hierarchy.stores.length,
    tills: hierarchy.tills,
    owners: hierarchy.owners.length,
    seconds: Math.round(seconds * 10) / 10,
    leadsPerSecond: Math.round(done / Math.max(seconds, 0.001)),
  };
}
