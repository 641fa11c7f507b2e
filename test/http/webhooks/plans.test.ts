import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_STORE, useTestApp } from '../../helpers/app.js';
import { planLines } from '../../helpers/queries.js';
import {
  dueDeliveriesQuery,
  pendingLeadsQuery,
} from '../../../src/webhooks/delivery.repository.js';

/**
 * The dispatcher's queries read the pending-only indexes of migration 0011 (the status written
 * as a literal lets both planners prove the partial index applies): the due list and the
 * per-lead order check stay as small as the backlog, however long the delivery log grows.
 */
describe(`webhook dispatcher plans (${TEST_STORE})`, () => {
  const t = useTestApp();

  async function plan(compiled: Parameters<typeof planLines>[1]): Promise<string> {
    return (await planLines(t.ctx, compiled)).join('\n');
  }

  it('finds due deliveries, and holds later ones of a lead, through the pending indexes', async () => {
    const text = await plan(dueDeliveriesQuery(t.ctx.store.db, 1, 100).compile());
    if (TEST_STORE === 'sqlite') {
      assert.match(
        text,
        /SEARCH d USING INDEX webhook_deliveries_pending_due_idx \(next_attempt_at<\?\)/,
      );
      assert.match(
        text,
        /SEARCH p USING COVERING INDEX webhook_deliveries_pending_lead_idx \(endpoint_id=\? AND lead_id=\? AND (rowid|id)<\?\)/,
      );
    } else {
      assert.match(
        text,
        /Index Scan using webhook_deliveries_pending_due_idx on webhook_deliveries d/,
      );
      assert.match(
        text,
        /Index Only Scan using webhook_deliveries_pending_lead_idx on webhook_deliveries p/,
      );
    }
    assert.doesNotMatch(text, /SCAN d\b|SCAN p\b|Seq Scan on webhook_deliveries/);
  });

  it('finds the leads with a pending delivery through the pending lead index', async () => {
    const text = await plan(pendingLeadsQuery(t.ctx.store.db, 1, [1, 2, 3]).compile());
    assert.match(text, /webhook_deliveries_pending_lead_idx/);
    assert.doesNotMatch(text, /SCAN webhook_deliveries\b|Seq Scan on webhook_deliveries/);
  });
});
