import type { AppContext } from '../core/context.js';
import { NEW_ORG_POLICY, type Caller } from '../core/caller.js';
import type { LeadStatus } from '../db/schema.js';
import { md5Hex, randomToken } from '../core/secrets.js';
import { createOrg } from '../orgs/org.service.js';
import { createEntity, type EntityView } from '../entities/entity.service.js';
import { createOauthClient } from '../auth/oauth.service.js';
import { addReasons } from '../reasons/reason.service.js';
import { addSubStatus } from '../sub-statuses/sub-status.service.js';
import { addFollowUp, changeStatus, createLead } from '../leads/index.js';
import { formatDateTime } from '../core/date-time.js';

/** A small deterministic generator, so two demo runs look alike. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'demo'
  );
}

const SKUS = ['JKT-0192-M', 'JKT-0192-L', 'SHOE-4410-42', 'DRESS-77-S', 'BAG-1203', 'TEE-550-XL'];
const BRANDS = ['Northwind', 'Contoso', 'Fabrikam', 'Tailspin'];
const CATEGORIES = ['Outerwear', 'Footwear', 'Accessories', 'Denim'];

/**
 * A demo org with a zone, two stores with two tills each, associates, an admin, reasons,
 * sub-statuses and `leads` leads with follow-ups and status changes. Returns the credentials
 * to try (passwords are random and shown only here).
 */
export async function seedDemo(ctx: AppContext, options: { name: string; leads: number }) {
  const org = await createOrg(ctx, options.name);
  const prefix = slug(options.name);
  const users: Array<{ username: string; password: string; type: string }> = [];
  const make = async (type: string, code: string, parent?: string, login = false) => {
    const password = login ? randomToken(12) : undefined;
    const entity = await createEntity(ctx, {
      org: org.name,
      type,
      code: `${prefix}-${code}`,
      parent: parent === undefined ? undefined : `${prefix}-${parent}`,
      password,
    });
    if (password !== undefined) users.push({ username: entity.code, password, type });
    return entity;
  };

  await make('ZONE', 'zone-north');
  const tills: EntityView[] = [];
  const associates: EntityView[] = [];
  for (const store of ['store-1', 'store-2']) {
    await make('STORE', store, 'zone-north');
    tills.push(await make('TILL', `${store}-till-1`, store, true));
    tills.push(await make('TILL', `${store}-till-2`, store, true));
    associates.push(await make('ASSOCIATE', `${store}-associate`, store, true));
  }
  const admin = await make('ADMIN_USER', 'admin', 'zone-north', true);
  const oauth = await createOauthClient(ctx, { org: org.name, entity: admin.code });

  const asCaller = (e: EntityView): Caller => ({
    orgId: org.id,
    entityId: e.id,
    entityType: e.type,
    code: e.code,
    org: NEW_ORG_POLICY,
  });
  const adminCaller = asCaller(admin);
  const { reasons } = await addReasons(ctx, adminCaller, [
    { reason: 'Size not in stock' },
    { reason: 'Bought elsewhere' },
    { reason: 'Price too high' },
    { reason: 'Purchased in store' },
  ]);
  const reasonIds = reasons.filter((r) => r.reason !== 'AUTO_CLOSE').map((r) => r.id);
  const subStatuses: Array<[LeadStatus, string]> = [
    ['ON_HOLD', 'AwaitingStock'],
    ['ON_HOLD', 'CustomerTravelling'],
    ['LOST', 'PriceIssue'],
    ['WON', 'BoughtInStore'],
  ];
  for (const [status, subStatus] of subStatuses) {
    await addSubStatus(ctx, adminCaller, { status, subStatus });
  }

  const random = seededRandom(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const now = ctx.clock.now();
  for (let i = 0; i < options.leads; i += 1) {
    const till = pick(tills);
    const associate = pick(associates);
    const caller = asCaller(till);
    const kind = random();
    const type = kind < 0.6 ? 'SKU' : kind < 0.8 ? 'BRAND' : 'CATEGORY';
    const lead = await createLead(ctx, caller, {
      body: {
        leadFor: type === 'SKU' ? pick(SKUS) : type === 'BRAND' ? pick(BRANDS) : pick(CATEGORIES),
        type,
        idType: i % 2 === 0 ? 'EMAIL' : 'MOBILE',
        identifier:
          i % 2 === 0 ? `shopper${i % 120}@example.com` : `+91 98${String(45000000 + (i % 150))}`,
        owner: associate.code,
        createdOn: formatDateTime(now - Math.floor(random() * 30 * 86400_000)),
        nextFollowUp: formatDateTime(now + Math.floor(random() * 7 * 86400_000)),
        extendedFields: { preferred_contact: pick(['WhatsApp', 'Phone', 'Email']) },
      },
      warnings: [],
    });
    if (random() < 0.5) {
      await addFollowUp(ctx, caller, {
        id: lead.id,
        body: {
          createdBy: associate.id,
          followedUpOn: formatDateTime(now - Math.floor(random() * 3 * 86400_000)),
          notes: pick(['Called, no answer', 'Sent a message', 'Customer will visit Saturday']),
        },
      });
    }
    const roll = random();
    if (roll < 0.5) {
      const [status, subStatus] = pick(subStatuses);
      await changeStatus(ctx, caller, {
        id: lead.id,
        body: { status, subStatus, reasonId: pick(reasonIds) },
      });
    }
  }

  return {
    org,
    users: users.map((u) => ({
      ...u,
      basicAuth: `Basic ${Buffer.from(`${u.username}:${md5Hex(u.password)}`).toString('base64')}`,
    })),
    oauth,
    leads: options.leads,
  };
}
