import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, type Login, type TestOrg } from '../../helpers/factories.js';
import { addReason } from '../../helpers/fixtures.js';
import { alertOf, Browser, signedIn } from '../../helpers/web.js';

/** A row figure of the funnel table: the number after the row's label. */
function step(page: string, label: string): number | undefined {
  const found = new RegExp(`<th scope="row">${label}</th>\\s*<td class="n">(\\d+)</td>`).exec(page);
  return found ? Number(found[1]) : undefined;
}

/** The drill-down rows of a page: each part's label, its link (if any) and leads created. */
function parts(page: string): Array<{ label: string; href: string | undefined; created: number }> {
  const table = /aria-label="Figures by [^"]+"[\s\S]*?<\/table>/.exec(page)?.[0] ?? '';
  return [
    ...table.matchAll(
      /<th scope="row">\s*(?:<a href="([^"]+)">([^<]+)<\/a>|<span class="muted"\s*>([^<]+)<\/span\s*>)\s*<\/th>\s*<td class="n">(\d+)<\/td>/g,
    ),
  ].map((m) => ({
    label: (m[2] ?? m[3])!,
    href: m[1]?.replaceAll('&amp;', '&'),
    created: Number(m[4]),
  }));
}

/** The page's title line. */
const titleOf = (page: string) => /<h1>Dashboard: ([^<]+)<\/h1>/.exec(page)?.[1];

/** An org with a second store in the zone, each store with a till that records leads. */
async function twoStores(t: ReturnType<typeof useTestApp>): Promise<{
  o: TestOrg;
  otherStore: Login;
  otherTill: Login;
}> {
  const o = await newOrg(t.ctx);
  const otherStore = await o.entity('STORE', o.zone);
  const otherTill = await o.entity('TILL', otherStore, true);
  return { o, otherStore, otherTill };
}

describe('web app dashboard', () => {
  const t = useTestApp();

  it('shows a scope’s reports and drills from the org to a zone, a store and an associate', async () => {
    const { o, otherStore, otherTill } = await twoStores(t);
    const won = await addReason(t.app, o.admin, 'Bought it');
    const soldOut = await addReason(t.app, o.admin, 'Size sold out');
    const marked = await send(t.app, o.admin, 'PUT', `/v2/admin/reasons/${soldOut}`, {
      notAvailable: true,
    });
    assert.equal(marked.status, 200, marked.raw);
    const a = await newLead(t.app, o.till, { leadFor: 'Linen shirt', owner: o.associate.code });
    const b = await newLead(t.app, o.till, { leadFor: '<script>alert(1)</script> boots' });
    await newLead(t.app, o.till, { leadFor: 'Rain jacket' });
    await newLead(t.app, otherTill, { leadFor: 'Scarf' });
    for (const [id, status, reasonId] of [
      [a.id, 'WON', won],
      [b.id, 'LOST', soldOut],
    ] as const) {
      const changed = await send(t.app, o.till, 'PUT', `/v2/leads/${id}/status`, {
        status,
        reasonId,
      });
      assert.equal(changed.status, 200, changed.raw);
    }

    // The admin sits under the zone: the dashboard opens on the zone, by store.
    const admin = await signedIn(t.app, o.admin);
    const zone = await admin.get('/app/dashboard');
    assert.equal(zone.statusCode, 200);
    assert.equal(titleOf(zone.body), o.zone.code);
    assert.equal(step(zone.body, 'Created'), 4);
    assert.equal(step(zone.body, 'Won'), 1);
    assert.equal(step(zone.body, 'Lost'), 1);
    assert.deepEqual(parts(zone.body), [
      {
        label: o.store.code,
        href: `/app/dashboard?scope=${o.store.code}&days=90`,
        created: 3,
      },
      {
        label: otherStore.code,
        href: `/app/dashboard?scope=${otherStore.code}&days=90`,
        created: 1,
      },
    ]);
    // The lost lead's reason, and what the shopper did not get, escaped.
    assert.match(zone.body, /<th scope="row">Size sold out<\/th>/);
    assert.ok(zone.body.includes('&lt;script&gt;alert(1)&lt;/script&gt; boots'));
    assert.doesNotMatch(zone.body, /<script>alert/);

    // Up to the org (by zone), down to the store (by associate), then the associate.
    const org = await admin.get('/app/dashboard?org=1');
    assert.equal(parts(org.body)[0]?.label, o.zone.code);
    assert.equal(parts(org.body)[0]?.created, 4);
    const store = await admin.get(parts(zone.body)[0]!.href!);
    assert.equal(titleOf(store.body), o.store.code);
    assert.equal(step(store.body, 'Created'), 3);
    const people = parts(store.body);
    assert.deepEqual(
      people.map((p) => [p.label, p.created]),
      [
        ['No associate', 2],
        [o.associate.code, 1],
      ],
    );
    assert.equal(people[0]?.href, undefined);
    const person = await admin.get(people[1]!.href!);
    assert.equal(titleOf(person.body), o.associate.code);
    assert.equal(step(person.body, 'Created'), 1);
    assert.equal(step(person.body, 'Won'), 1);
    assert.deepEqual(parts(person.body), []);
    // The way back up: org › zone › store › associate.
    assert.match(
      person.body,
      new RegExp(
        `href="/app/dashboard\\?org=1&amp;days=90">[^<]+</a>\\s*› <a href="/app/dashboard\\?scope=${o.zone.code}&amp;days=90">`,
      ),
    );

    // A till opens on its own store; the period narrows what is counted.
    const till = await signedIn(t.app, o.till);
    const own = await till.get('/app/dashboard?days=30');
    assert.equal(titleOf(own.body), o.store.code);
    assert.equal(step(own.body, 'Created'), 3);
    assert.match(own.body, /<strong aria-current="true">30 days<\/strong>/);
  });

  it('answers another org’s store exactly like a store that does not exist', async () => {
    const { o } = await twoStores(t);
    const other = await newOrg(t.ctx);
    await newLead(t.app, other.till, { leadFor: 'Their lead' });
    const admin = await signedIn(t.app, o.admin);
    const theirs = await admin.get(`/app/dashboard?scope=${other.store.code}`);
    const nobody = await admin.get('/app/dashboard?scope=no-such-store');
    assert.equal(theirs.statusCode, 404);
    assert.equal(nobody.statusCode, 404);
    assert.equal(
      alertOf(theirs.body)?.replace(other.store.code, 'X'),
      alertOf(nobody.body)?.replace('no-such-store', 'X'),
    );
    // A till is no zone or store.
    assert.equal((await admin.get(`/app/dashboard?scope=${o.till.code}`)).statusCode, 404);
    const theirCsv = await admin.get(`/app/dashboard/csv/funnel?scope=${other.store.code}`);
    assert.equal(theirCsv.statusCode, 404);
    assert.doesNotMatch(theirCsv.body, /Their lead/);
  });

  it('downloads each report as CSV over the page’s scope and period', async () => {
    const { o } = await twoStores(t);
    await newLead(t.app, o.till, { leadFor: 'Linen shirt', owner: o.associate.code });
    await newLead(t.app, o.till, { leadFor: 'Boots' });
    const admin = await signedIn(t.app, o.admin);
    const page = await admin.get(`/app/dashboard?scope=${o.store.code}`);
    const links = [...page.body.matchAll(/href="(\/app\/dashboard\/csv\/[^"]+)" download/g)].map(
      (m) => m[1]!.replaceAll('&amp;', '&'),
    );
    assert.deepEqual(
      links.map((link) => link.split('?')[0]),
      [
        '/app/dashboard/csv/funnel',
        '/app/dashboard/csv/funnel',
        '/app/dashboard/csv/win-rate',
        '/app/dashboard/csv/lost-reasons',
        '/app/dashboard/csv/demand',
        '/app/dashboard/csv/follow-ups',
      ],
    );
    const byPerson = await admin.get(links[1]!);
    assert.equal(byPerson.statusCode, 200);
    assert.match(String(byPerson.headers['content-type']), /^text\/csv/);
    assert.equal(byPerson.headers['content-disposition'], 'attachment; filename="funnel.csv"');
    const lines = byPerson.body.trim().split(/\r?\n/);
    assert.match(lines[0]!, /^group,created,/);
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(',').slice(0, 2)),
      // Ties by the group's code, leads without an owner last.
      [
        [o.associate.code, '1'],
        ['', '1'],
      ],
    );
    const demand = await admin.get(links[4]!);
    assert.match(demand.body, /Linen shirt/);
    assert.equal((await admin.get('/app/dashboard/csv/summary')).statusCode, 404);
    // Signed out, a download asks for a sign-in like any page.
    const stranger = await new Browser(t.app).get(links[0]!);
    assert.equal(stranger.statusCode, 302);
  });
});
