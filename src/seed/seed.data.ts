import { LEAD_STATUSES, type LeadStatus, type LeadType } from '../db/schema.js';
import type { FieldRow } from '../extended-fields/extended-field.repository.js';
import { enumValuesOf } from '../extended-fields/extended-field.mapper.js';
import { formatDateTime } from '../core/date-time.js';
import { SYSTEM_ACTOR_ID } from '../core/actor.js';
import type { LeadBatch } from '../db/bulk/lead-batch.js';
import { SeedRandom, WeightedPicker } from './seed.random.js';

/**
 * Generates leads with their status logs and follow-ups, batch by batch, as column arrays that
 * both bulk writers take as they are. Pure: no database access, so a batch is built outside the
 * write transaction and the store is locked only while it is written.
 *
 * Every lead keeps the rules the lead service keeps: its first status-log row is written when it
 * is created (reason APICALL, by the till), each later row is a status change with an org
 * reason (or the system's AUTO_CLOSE), the newest row carries the lead's status and sub-status,
 * sub-statuses are the org's for their status, `last_follow_up` is the newest `followed_up_on`,
 * `last_updated_on` is the newest change and never before `created_on`, and `version` counts
 * the changes after creation.
 */

/** What the generator draws from: the org's rows, loaded or created before the first batch. */
export type SeedPlan = {
  stores: ReadonlyArray<{ tills: readonly number[]; owners: readonly number[] }>;
  /** Every owner (ASSOCIATE or STAFF) of the seed's stores. */
  owners: readonly number[];
  /** Customers this run created; leads are spread over them, the first fifth more often. */
  customers: readonly number[];
  /** The org's channels (`orgSourceId`). */
  channels: readonly number[];
  apiCallReasonId: number;
  autoCloseReasonId: number;
  /**
   * The reasons of a change to each status: the org's reasons that suit it (a sale for WON, a
   * lost sale for LOST, …), or all but the system ones. Every status has at least one.
   */
  reasonsByStatus: ReadonlyMap<LeadStatus, readonly number[]>;
  subStatuses: ReadonlyMap<LeadStatus, readonly string[]>;
  /** The org's lead field definitions; none means free-form fields, as the contract allows. */
  fields: readonly FieldRow[];
  /** Days without a change after which an OPEN or ON_HOLD lead is auto-closed as LOST. */
  autoCloseDays: number;
  /** Leads are created from `start` to `end` (epoch ms); nothing happens after `end`. */
  start: number;
  end: number;
};

/** Most status-log rows and follow-ups one lead can have. */
const MAX_STATUS_LOGS = 4;
const MAX_FOLLOW_UPS = 3;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Stores open 10:00 to 21:00 in India (04:30 to 15:30 UTC): leads are created then. */
const STORE_OPENS = 4 * HOUR + 30 * MINUTE;
const STORE_HOURS = 11 * HOUR;

const SKU_FAMILIES: ReadonlyArray<[string, readonly string[]]> = [
  ['JKT', ['S', 'M', 'L', 'XL']],
  ['TEE', ['S', 'M', 'L', 'XL', 'XXL']],
  ['DNM', ['28', '30', '32', '34', '36']],
  ['SHOE', ['39', '40', '41', '42', '43', '44']],
  ['DRESS', ['XS', 'S', 'M', 'L']],
  ['KURTA', ['S', 'M', 'L', 'XL']],
  ['BAG', ['']],
  ['WATCH', ['']],
];
const BRANDS = [
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Tailspin',
  'Adventure Works',
  'Wide World',
  'Litware',
  'Proseware',
  'Woodgrove',
  'Lucerne',
  'Alpine Ski House',
  'Coho',
  'Trey Research',
  'Wingtip',
  'Fourth Coffee',
  'Margie’s',
];
const CATEGORIES = [
  'Outerwear',
  'Footwear',
  'Accessories',
  'Denim',
  'Knitwear',
  'Formal Wear',
  'Sportswear',
  'Handbags',
  'Watches',
  'Kidswear',
  'Ethnic Wear',
  'Eyewear',
];
const CUSTOM_REQUESTS = [
  'Gift wrapping for an anniversary',
  'Alteration: shorten the sleeves',
  'Matching belt for an earlier order',
  'Personal styling appointment',
  'Bulk order for a wedding party',
  'Engraving on a watch strap',
];
const NOTES = [
  'Called, no answer',
  'Sent a WhatsApp message',
  'Customer will visit on Saturday',
  'Stock expected next week',
  'Customer asked for a call back in the evening',
  'Shared photos of the product',
  'Reserved the item for two days',
  'Customer is comparing prices online',
];
/** Free-form extended fields, for orgs that define none (the contract keeps any scalars). */
const FREE_FORM_FIELDS = [
  {},
  { preferred_contact: 'WhatsApp' },
  { preferred_contact: 'Phone' },
  { preferred_contact: 'Email' },
  { preferred_contact: 'WhatsApp', gift: true },
  { preferred_contact: 'Phone', budget: 4999 },
  { preferred_contact: 'WhatsApp', size: 'M' },
  { preferred_contact: 'SMS', size: 'L', gift: false },
].map((fields) => JSON.stringify(fields));
const FREE_TEXT = ['Navy', 'Red', 'Size M', 'Call after 6 pm', 'Prefers weekends', 'Gift'];

const LEAD_TYPES: readonly LeadType[] = ['SKU', 'BRAND', 'CATEGORY', 'CUSTOM'];
const LEAD_TYPE_WEIGHTS = [60, 15, 20, 5];

/** How often each channel brings a lead; channels not listed (an org's own) weigh 2. */
const CHANNEL_WEIGHTS: ReadonlyMap<number, number> = new Map([
  [-1, 60],
  [10, 10],
  [8, 8],
  [1, 5],
  [4, 4],
  [2, 3],
  [9, 2],
]);

/** Status-log rows of a lead that ends in OPEN (1 or OPEN, ON_HOLD, OPEN) and of the others. */
const OPEN_ROWS = new WeightedPicker([0, 75, 0, 25]);
const OTHER_ROWS = new WeightedPicker([0, 30, 40, 20, 10]);
const FOLLOW_UPS = new WeightedPicker([40, 30, 20, 10]);

/** A Zipf-like popularity: item `i` is drawn in proportion to 1 / (i + 1)^s. */
function zipf(count: number, s: number): WeightedPicker {
  return new WeightedPicker(Array.from({ length: count }, (_, i) => 1 / (i + 1) ** s));
}

function allocateBatch(size: number): LeadBatch {
  const numbers = (n: number) => new Float64Array(n);
  const texts = (n: number) => new Int32Array(n);
  const logs = size * MAX_STATUS_LOGS;
  const fus = size * MAX_FOLLOW_UPS;
  return {
    size,
    texts: [],
    userId: numbers(size),
    type: texts(size),
    leadFor: texts(size),
    status: texts(size),
    subStatus: texts(size),
    ownerId: numbers(size),
    nextFollowUp: numbers(size),
    lastFollowUp: numbers(size),
    createdOn: numbers(size),
    createdBy: numbers(size),
    lastUpdatedOn: numbers(size),
    lastUpdatedBy: numbers(size),
    orgSourceId: numbers(size),
    extendedFields: texts(size),
    version: numbers(size),
    statusLogs: {
      count: 0,
      lead: texts(logs),
      userId: numbers(logs),
      status: texts(logs),
      subStatus: texts(logs),
      createdBy: numbers(logs),
      createdOn: numbers(logs),
      reasonId: numbers(logs),
    },
    followUps: {
      count: 0,
      lead: texts(fus),
      userId: numbers(fus),
      notes: texts(fus),
      createdBy: numbers(fus),
      createdOn: numbers(fus),
      followedUpBy: numbers(fus),
      followedUpOn: numbers(fus),
      scheduledFollowUp: numbers(fus),
    },
  };
}

/** Interns the texts of one batch: each distinct text is stored once, columns hold its index. */
function textIndex(texts: string[]): (text: string | null) => number {
  const indexes = new Map<string, number>();
  return (text) => {
    if (text === null) return -1;
    let index = indexes.get(text);
    if (index === undefined) {
      index = texts.length;
      texts.push(text);
      indexes.set(text, index);
    }
    return index;
  };
}

/**
 * Produces `total` leads in batches, oldest first: `created_on` grows with the lead's position,
 * as ids grow with time in a real org (and the `created_on` index is appended to, not
 * scattered).
 *
 * @example const gen = new LeadGenerator(plan, 1000, 7); const batch = gen.next(500);
 */
export class LeadGenerator {
  private readonly random: SeedRandom;
  private readonly storePicker: WeightedPicker;
  private readonly skuPicker: WeightedPicker;
  private readonly skus: string[];
  private readonly typePicker = new WeightedPicker(LEAD_TYPE_WEIGHTS);
  private readonly channelPicker: WeightedPicker;
  /** Cumulative lead density by day of the window, to place leads in time. */
  private readonly dayCumulative: Float64Array;
  private readonly firstDay: number;
  private day = 0;
  private produced = 0;

  constructor(
    private readonly plan: SeedPlan,
    private readonly total: number,
    randomSeed: number,
  ) {
    const reasonless = LEAD_STATUSES.some((s) => (plan.reasonsByStatus.get(s) ?? []).length === 0);
    if (plan.stores.length === 0 || plan.customers.length === 0 || reasonless) {
      throw new Error('a seed plan needs stores, customers and reasons for every status');
    }
    this.random = new SeedRandom(randomSeed, 1);
    // A few flagship stores see most shoppers.
    this.storePicker = zipf(plan.stores.length, 0.6);
    this.skus = SKU_FAMILIES.flatMap(([family, sizes]) =>
      Array.from({ length: 40 }, (_, n) =>
        sizes.map((size) => {
          const code = `${family}-${String(((n + 1) * 7919) % 10000).padStart(4, '0')}`;
          return size === '' ? code : `${code}-${size}`;
        }),
      ).flat(),
    );
    // Best sellers are asked for most when they run out.
    this.skuPicker = zipf(this.skus.length, 0.8);
    this.channelPicker = new WeightedPicker(plan.channels.map((c) => CHANNEL_WEIGHTS.get(c) ?? 2));

    this.firstDay = Math.floor(plan.start / DAY) * DAY;
    const days = Math.max(1, Math.ceil((plan.end - this.firstDay) / DAY));
    this.dayCumulative = new Float64Array(days);
    let sum = 0;
    for (let d = 0; d < days; d += 1) {
      const date = new Date(this.firstDay + d * DAY);
      const weekday = date.getUTCDay();
      const month = date.getUTCMonth();
      // The business grows over the window; weekends and the festive season are busier.
      const weight =
        (0.6 + (0.8 * d) / days) *
        (weekday === 0 || weekday === 6 ? 1.4 : 1) *
        (month === 9 || month === 10 || month === 11 ? 1.3 : 1);
      sum += weight;
      this.dayCumulative[d] = sum;
    }
  }

  /**
   * The creation instant of the next lead: the inverse of the window's cumulative density at
   * the lead's position, so instants only grow (a moving day pointer keeps it O(1)).
   */
  private nextCreatedOn(): number {
    const days = this.dayCumulative;
    const total = days[days.length - 1] as number;
    const target = ((this.produced + this.random.next()) / this.total) * total;
    while (this.day < days.length - 1 && (days[this.day] as number) <= target) this.day += 1;
    const before = this.day === 0 ? 0 : (days[this.day - 1] as number);
    const within = (target - before) / ((days[this.day] as number) - before);
    const at = this.firstDay + this.day * DAY + STORE_OPENS + Math.floor(within * STORE_HOURS);
    return Math.min(this.plan.end, Math.max(this.plan.start, at));
  }

  private customer(): number {
    const { customers } = this.plan;
    const regulars = Math.max(1, Math.floor(customers.length / 5));
    // One lead in five comes from the regulars, the first fifth of the customers.
    return this.random.chance(0.2)
      ? (customers[this.random.int(0, regulars - 1)] as number)
      : this.random.pick(customers);
  }

  private leadFor(type: LeadType): string {
    switch (type) {
      case 'SKU':
        return this.skus[this.skuPicker.pick(this.random)] as string;
      case 'BRAND':
        return this.random.pick(BRANDS);
      case 'CATEGORY':
        return this.random.pick(CATEGORIES);
      case 'CUSTOM':
        return this.random.pick(CUSTOM_REQUESTS);
    }
  }

  /** The final status: the older a lead, the likelier it is closed. */
  private finalStatus(createdOn: number): LeadStatus {
    const age = (this.plan.end - createdOn) / Math.max(1, this.plan.end - this.plan.start);
    if (this.random.chance(0.12 + 0.68 * age)) {
      const roll = this.random.next();
      return roll < 0.46 ? 'WON' : roll < 0.89 ? 'LOST' : 'DELETED';
    }
    return this.random.chance(0.7) ? 'OPEN' : 'ON_HOLD';
  }

  /** The path of statuses from creation to `final`, one per status-log row. */
  private statusPath(final: LeadStatus): LeadStatus[] {
    const rows = (final === 'OPEN' ? OPEN_ROWS : OTHER_ROWS).pick(this.random);
    if (rows === 1) return [final];
    const path: LeadStatus[] = ['OPEN'];
    for (let i = 1; i < rows - 1; i += 1) path.push(path[i - 1] === 'OPEN' ? 'ON_HOLD' : 'OPEN');
    path.push(final);
    return path;
  }

  private subStatusOf(status: LeadStatus): string | null {
    const choices = this.plan.subStatuses.get(status);
    if (choices === undefined || choices.length === 0 || this.random.chance(0.45)) return null;
    return this.random.pick(choices);
  }

  private extendedFields(createdOn: number): string {
    const { fields } = this.plan;
    if (fields.length === 0) return this.random.pick(FREE_FORM_FIELDS);
    const values: Record<string, string | number | boolean> = {};
    for (const field of fields) {
      if (field.required !== 1 && this.random.chance(0.4)) continue;
      const later = createdOn + this.random.int(1, 60) * DAY;
      switch (field.data_type) {
        case 'STRING':
          values[field.name] = this.random.pick(FREE_TEXT);
          break;
        case 'INTEGER':
          values[field.name] = this.random.int(1, 10);
          break;
        case 'DOUBLE':
          values[field.name] = this.random.int(100, 999_999) / 100;
          break;
        case 'BOOLEAN':
          values[field.name] = this.random.chance(0.5);
          break;
        case 'DATE':
          values[field.name] = formatDateTime(later).slice(0, 10);
          break;
        case 'DATETIME':
          values[field.name] = formatDateTime(later);
          break;
        case 'ENUM': {
          const allowed = enumValuesOf(field);
          if (allowed.length > 0) values[field.name] = this.random.pick(allowed);
          break;
        }
      }
    }
    return JSON.stringify(values);
  }

  /** The next `size` leads (fewer at the end), with their history. */
  next(size: number): LeadBatch {
    const count = Math.max(0, Math.min(size, this.total - this.produced));
    const batch = allocateBatch(count);
    const text = textIndex(batch.texts);
    const { plan, random } = this;
    const logs = batch.statusLogs;
    const followUps = batch.followUps;
    for (let position = 0; position < count; position += 1) {
      const createdOn = this.nextCreatedOn();
      this.produced += 1;
      const store = plan.stores[this.storePicker.pick(random)] as SeedPlan['stores'][number];
      const till = random.pick(store.tills);
      // Most leads go to an owner of the store that took them; a few to an owner elsewhere,
      // a few to no one yet.
      const ownerRoll = random.next();
      const ownerId =
        ownerRoll < 0.08 || plan.owners.length === 0
          ? null
          : ownerRoll < 0.95 && store.owners.length > 0
            ? random.pick(store.owners)
            : random.pick(plan.owners);
      const actor = () => (ownerId !== null && random.chance(0.7) ? ownerId : till);
      const userId = this.customer();
      const type = LEAD_TYPES[this.typePicker.pick(random)] as LeadType;

      // Status changes, a few days apart, never after the end of the window.
      const final = this.finalStatus(createdOn);
      const path = this.statusPath(final);
      const times = [createdOn];
      for (let i = 1; i < path.length; i += 1) {
        const gap = 10 * MINUTE + random.exponential(4 * DAY);
        times.push(Math.min(plan.end, Math.floor((times[i - 1] as number) + gap)));
      }
      const lastChange = times[times.length - 1] as number;
      const open = final === 'OPEN' || final === 'ON_HOLD';

      // Follow-ups fall between creation and closing (or a while after the last change of an
      // open lead); they are recorded up to two hours after they happened.
      const followUpCount = FOLLOW_UPS.pick(random);
      const activityEnds = open
        ? Math.min(plan.end, lastChange + Math.floor(random.exponential(10 * DAY)))
        : lastChange;
      const followedUpOns: number[] = [];
      for (let f = 0; f < followUpCount; f += 1) {
        followedUpOns.push(createdOn + Math.floor(random.next() * (activityEnds - createdOn)));
      }
      followedUpOns.sort((a, b) => a - b);

      // Some LOST leads were closed by auto-close: the org's period after their last activity.
      let closedBySystem = false;
      if (final === 'LOST' && path.length >= 2 && random.chance(0.25)) {
        // A follow-up is recorded up to two hours after it happened; the lead is unchanged
        // for the whole period after that.
        const lastActivity =
          Math.max(times[times.length - 2] as number, followedUpOns.at(-1) ?? 0) + 2 * HOUR;
        const closeAt = lastActivity + plan.autoCloseDays * DAY + random.int(0, 300) * MINUTE;
        const previous = path[path.length - 2];
        if (closeAt <= plan.end && (previous === 'OPEN' || previous === 'ON_HOLD')) {
          closedBySystem = true;
          times[times.length - 1] = closeAt;
        }
      }

      let lastUpdatedOn = createdOn;
      let lastUpdatedBy = till;
      for (let i = 0; i < path.length; i += 1) {
        const status = path[i] as LeadStatus;
        const system = closedBySystem && i === path.length - 1;
        const by = i === 0 ? till : system ? SYSTEM_ACTOR_ID : actor();
        const at = times[i] as number;
        const row = logs.count;
        logs.count += 1;
        logs.lead[row] = position;
        logs.userId[row] = userId;
        logs.status[row] = text(status);
        logs.subStatus[row] = text(system ? null : this.subStatusOf(status));
        logs.createdBy[row] = by;
        logs.createdOn[row] = at;
        logs.reasonId[row] =
          i === 0
            ? plan.apiCallReasonId
            : system
              ? plan.autoCloseReasonId
              : random.pick(plan.reasonsByStatus.get(status) as readonly number[]);
        if (at >= lastUpdatedOn) {
          lastUpdatedOn = at;
          lastUpdatedBy = by;
        }
      }

      for (const followedUpOn of followedUpOns) {
        const by = actor();
        const recordedOn = Math.min(plan.end, followedUpOn + random.int(0, 120) * MINUTE);
        const row = followUps.count;
        followUps.count += 1;
        followUps.lead[row] = position;
        followUps.userId[row] = userId;
        followUps.notes[row] = text(random.chance(0.75) ? random.pick(NOTES) : null);
        followUps.createdBy[row] = by;
        followUps.createdOn[row] = recordedOn;
        followUps.followedUpBy[row] = random.chance(0.8) ? by : till;
        followUps.followedUpOn[row] = followedUpOn;
        followUps.scheduledFollowUp[row] = random.chance(0.35)
          ? followedUpOn - random.int(0, 48) * HOUR
          : Number.NaN;
        if (recordedOn > lastUpdatedOn) {
          lastUpdatedOn = recordedOn;
          lastUpdatedBy = by;
        }
      }

      // Open leads mostly have a follow-up planned (some already overdue); closed ones rarely.
      const planned = random.chance(open ? 0.8 : 0.05);
      const nextFollowUp = planned
        ? Math.floor((lastUpdatedOn + random.int(1, 14) * DAY) / HOUR) * HOUR
        : null;

      batch.userId[position] = userId;
      batch.type[position] = text(type);
      batch.leadFor[position] = text(this.leadFor(type));
      batch.status[position] = text(final);
      // The lead's sub-status is that of its newest status-log row.
      batch.subStatus[position] = logs.subStatus[logs.count - 1] as number;
      batch.ownerId[position] = ownerId ?? Number.NaN;
      batch.nextFollowUp[position] = nextFollowUp ?? Number.NaN;
      batch.lastFollowUp[position] = followedUpOns.at(-1) ?? Number.NaN;
      batch.createdOn[position] = createdOn;
      batch.createdBy[position] = till;
      batch.lastUpdatedOn[position] = lastUpdatedOn;
      batch.lastUpdatedBy[position] = lastUpdatedBy;
      batch.orgSourceId[position] = plan.channels[this.channelPicker.pick(random)] as number;
      batch.extendedFields[position] = text(this.extendedFields(createdOn));
      batch.version[position] = path.length + followUpCount;
    }
    return batch;
  }
}
