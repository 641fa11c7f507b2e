import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leadRowToLead } from '../../../src/leads/lead.mapper.js';
import type { LeadRow } from '../../../src/leads/lead.repository.js';
import type { FollowUpRow, StatusLogRow } from '../../../src/leads/history.repository.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const row: LeadRow = {
  id: 7,
  org_id: 1,
  user_id: 30,
  type: 'SKU',
  lead_for: 'SKU-1',
  status: 'OPEN',
  sub_status: null,
  owner_id: null,
  owner_code: null,
  next_follow_up: null,
  last_follow_up: T0 + 60_000,
  created_on: T0,
  created_by: 5,
  last_updated_on: T0 + 60_000,
  last_updated_by: 5,
  org_source_id: -1,
  extended_fields: '{"size":9}',
  version: 2,
  reached_statuses: 1,
  status_reason_id: 3,
  status_changed_by: 5,
  status_since: T0,
  stayed_open_ms: null,
  stayed_on_hold_ms: null,
  stayed_won_ms: null,
  stayed_lost_ms: null,
  stayed_deleted_ms: null,
  first_followed_up_on: T0 + 60_000,
};
const followUp: FollowUpRow & { total: number } = {
  id: 100,
  lead_id: 7,
  user_id: 30,
  notes: null,
  created_by: 5,
  created_on: T0 + 60_000,
  followed_up_by: 5,
  followed_up_on: T0 + 60_000,
  scheduled_follow_up: null,
  total: 3,
};
const logged: StatusLogRow & { total: number } = {
  id: 200,
  lead_id: 7,
  user_id: 30,
  status: 'OPEN',
  sub_status: null,
  created_by: 5,
  created_on: T0,
  reason_id: 1,
  reason: 'APICALL',
  total: 1,
};

describe('lead mapper', () => {
  it('camel-cases, writes instants as UTC Z and leaves absent values out', () => {
    const lead = leadRowToLead(row, [followUp], [logged]);
    assert.equal(lead.createdOn, '2026-03-01T12:00:00Z');
    assert.equal(lead.lastFollowUp, '2026-03-01T12:01:00Z');
    assert.equal(lead.version, 2);
    assert.deepEqual(lead.extendedFields, { size: 9 });
    for (const absent of ['subStatus', 'owner', 'nextFollowUp', 'statusLogsOmitted']) {
      assert.equal(absent in lead, false, absent);
    }
    assert.equal('notes' in (lead.followUpDetails[0] ?? {}), false);
    assert.equal(lead.statusLogDetails[0]?.reason, 'APICALL');
  });

  it('counts the history rows a lead holds beyond those it embeds', () => {
    assert.equal(leadRowToLead(row, [followUp], [logged]).followUpsOmitted, 2);
    assert.equal('followUpsOmitted' in leadRowToLead(row, [], []), false);
  });

  it('shows an owner and a sub-status when the row has them', () => {
    const lead = leadRowToLead(
      { ...row, owner_id: 9, owner_code: 'assoc-1', status: 'WON', sub_status: 'Purchased' },
      [],
      [],
    );
    assert.equal(lead.owner, 'assoc-1');
    assert.equal(lead.subStatus, 'Purchased');
  });
});
