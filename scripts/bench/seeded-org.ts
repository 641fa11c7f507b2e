import { openBuiltStore } from '../../toolbox/stores.js';

/**
 * The store of org `orgName` whose tills created the most leads (after `leadline seed`): the
 * heaviest store-scope read, for the analytics and the pages benches.
 */
export async function largestStore(
  env: Parameters<typeof openBuiltStore>[0],
  orgName: string,
): Promise<{ code: string; leads: number }> {
  const store = await openBuiltStore(env);
  try {
    const top = await store.db
      .selectFrom('leads')
      .innerJoin('entities as till', 'till.id', 'leads.created_by')
      .innerJoin('entities as store', 'store.id', 'till.parent_id')
      .innerJoin('orgs', 'orgs.id', 'leads.org_id')
      .where('orgs.name', '=', orgName)
      .where('store.type', '=', 'STORE')
      .select(['store.code', (eb) => eb.fn.countAll().as('n')])
      .groupBy('store.code')
      .orderBy('n', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!top) throw new Error('the seeded org has no lead created at a store’s till');
    return { code: top.code, leads: Number(top.n) };
  } finally {
    await store.close();
  }
}
