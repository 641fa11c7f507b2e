import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { runCli, storeEnvFor } from '../helpers/cli.js';
import { startBuiltServer, type BuiltServer } from '../helpers/server.js';
import { CHROMIUM_ARGS, ensureChromium } from '../../toolbox/chromium.js';
import { ROOT } from '../../toolbox/processes.js';
import { basicAuthorization, okJson } from '../../toolbox/http.js';

/** Where the tests leave the screenshots the README shows. */
const SCREENS = path.join(ROOT, 'docs', 'screens');
const REASON = 'Bought in store';
const HOLD_REASON = 'Will come back';
/** A shopper with an open lead, whom New lead recognises as the email is typed. */
const REGULAR = { email: 'regular@example.com', wish: 'Linen shirt, blue' };
const SIZES = [
  { name: 'phone', viewport: { width: 360, height: 740 } },
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
] as const;

/** The accessibility problems axe rates serious or critical on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** The script errors and CSP refusals of `page` from now on, as the console reports them. */
function scriptErrorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

/** Nothing on the page is wider than the screen: no sideways scrolling on a phone. */
async function assertFitsScreen(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - window.innerWidth',
  );
  assert.ok(overflow <= 0, `${what} is ${overflow} px wider than the screen`);
}

/** The id (or tag) of the focused element after each of `count` presses of Tab. */
async function tabOrder(page: Page, count: number): Promise<string[]> {
  const order: string[] = [];
  for (let i = 0; i < count; i += 1) {
    await page.keyboard.press('Tab');
    // A string, evaluated in the page: this project's types have no DOM.
    order.push(
      await page.evaluate<string>(
        `(() => { const a = document.activeElement;
          return a?.id || a?.textContent?.trim() || a?.tagName || ''; })()`,
      ),
    );
  }
  return order;
}

describe('the web app in Chromium', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-browser-'));
  const storeEnv = storeEnvFor(dataDir);
  const org = 'Demo Retail';
  const till = { code: 'till-01', password: 'counter-till-password' };
  const admin = { code: 'admin-01', password: 'brand-admin-password' };
  /** Per size, a lead the till gives the sub-status the admin adds. */
  const scarfLeads = new Map<string, number>();
  let server: BuiltServer;
  let browser: Browser;

  before(async () => {
    const executablePath = ensureChromium((line) => process.stderr.write(`${line}\n`));
    const created = [
      await runCli(storeEnv, ['org', 'create', '--name', org]),
      await runCli(storeEnv, [
        ...['entity', 'create', '--org', org, '--type', 'TILL'],
        ...['--code', till.code, '--password', till.password],
      ]),
      await runCli(storeEnv, [
        ...['entity', 'create', '--org', org, '--type', 'ADMIN_USER'],
        ...['--code', admin.code, '--password', admin.password],
      ]),
    ];
    for (const result of created) assert.equal(result.code, 0, result.stderr);
    server = await startBuiltServer(storeEnv);
    // A lead for each size to work on, and the reason its status change gives.
    const authorization = basicAuthorization(till.code, till.password);
    await okJson(server.base, authorization, 'POST', '/v2/leads/reasons', [
      { reason: REASON },
      { reason: HOLD_REASON },
    ]);
    for (const [status, subStatus] of [
      ['WON', 'Paid at the till'],
      ['ON_HOLD', 'Awaiting stock'],
    ]) {
      await okJson(server.base, authorization, 'POST', '/v2/leads/substatus', {
        status,
        subStatus,
      });
    }
    await okJson(server.base, authorization, 'POST', '/v2/leads', {
      leadFor: REGULAR.wish,
      idType: 'EMAIL',
      identifier: REGULAR.email,
    });
    for (const size of SIZES) {
      await okJson(server.base, authorization, 'POST', '/v2/leads', {
        leadFor: `Trail runner, size 44 (${size.name})`,
        idType: 'MOBILE',
        identifier: '+919845012345',
      });
      const scarf = await okJson<{ id: number }>(server.base, authorization, 'POST', '/v2/leads', {
        leadFor: `Wool scarf (${size.name})`,
        idType: 'EMAIL',
        identifier: `scarf-${size.name}@example.com`,
      });
      scarfLeads.set(size.name, scarf.id);
    }
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    mkdirSync(SCREENS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const size of SIZES) {
    it(`signs in by keyboard, works a lead and signs out at ${size.name} size, with no serious accessibility problem`, async () => {
      const context = await browser.newContext({ viewport: size.viewport });
      const page = await context.newPage();
      const scriptErrors = scriptErrorsOf(page);
      try {
        await page.goto(`${server.base}/`);
        assert.equal(new URL(page.url()).pathname, '/app/login');
        assert.deepEqual(await seriousViolations(page), [], 'the sign-in page');
        // Every control is reached by keyboard, in reading order.
        assert.deepEqual(await tabOrder(page, 6), [
          'Skip to content',
          'Leadline',
          'हिन्दी',
          'username',
          'password',
          'Sign in',
        ]);
        await page.screenshot({ path: path.join(SCREENS, `sign-in-${size.name}.png`) });

        await page.getByLabel('Username').fill(till.code);
        await page.getByLabel('Password').fill(till.password);
        await page.getByLabel('Password').press('Enter');
        await page.waitForURL(`${server.base}/app`);
        await page.getByRole('heading', { name: 'Today', exact: true }).waitFor();
        await page.getByText(`Welcome, ${till.code}.`).waitFor();
        assert.deepEqual(await seriousViolations(page), [], 'the start page');
        await page.screenshot({ path: path.join(SCREENS, `start-${size.name}.png`) });
        await assertFitsScreen(page, 'the start page');

        // The leads list, then this size's lead: change its status, add a follow-up.
        await page.getByRole('link', { name: 'Leads', exact: true }).click();
        await page.getByRole('heading', { name: 'Leads', exact: true }).waitFor();
        assert.deepEqual(await seriousViolations(page), [], 'the leads page');
        await page.screenshot({ path: path.join(SCREENS, `leads-${size.name}.png`) });
        // The shopper's mobile typed as people do finds their leads.
        await page.getByLabel('Search').fill('+91 98450 12345');
        await page.getByLabel('Search').press('Enter');
        await page.getByRole('link', { name: new RegExp(`\\(${size.name}\\)`) }).click();
        await page.getByLabel('New status').selectOption('WON');
        // The script offers only the sub-statuses of the status chosen.
        const subStatus = page.getByLabel('Sub-status');
        assert.equal(await subStatus.locator('option[value="Awaiting stock"]').isDisabled(), true);
        await subStatus.selectOption('Paid at the till');
        await page.getByLabel('Reason').selectOption({ label: REASON });
        await page.getByRole('button', { name: 'Change status' }).click();
        await page.getByRole('status').getByText('Status changed.').waitFor();
        await page
          .getByLabel('What happened')
          .fill('Paid at the counter; wants the matching socks');
        await page.getByRole('button', { name: 'Add follow-up' }).click();
        await page.getByRole('status').getByText('Follow-up added.').waitFor();
        const history = page.getByRole('region', { name: 'History' });
        await history.getByText('wants the matching socks').waitFor();
        await history.getByText(`for “${REASON}”`).waitFor();
        assert.deepEqual(await seriousViolations(page), [], 'the lead page');
        await page.screenshot({
          path: path.join(SCREENS, `lead-${size.name}.png`),
          fullPage: true,
        });
        await assertFitsScreen(page, 'the lead page');

        // A new lead from the quick form.
        await page.getByRole('link', { name: 'New lead', exact: true }).click();
        await page.getByRole('heading', { name: 'New lead', exact: true }).waitFor();
        assert.deepEqual(await seriousViolations(page), [], 'the new-lead page');
        // A returning shopper's open lead shows as their email is typed.
        const identifier = page.getByLabel('Shopper’s mobile or email');
        await identifier.pressSequentially(REGULAR.email, { delay: 10 });
        const openLeads = page.locator('#open-leads');
        await openLeads.getByText(REGULAR.wish).waitFor();
        await page.screenshot({ path: path.join(SCREENS, `new-lead-${size.name}.png`) });
        await identifier.fill(`shopper-${size.name}@example.com`);
        await openLeads.getByText('This shopper has no open lead.').waitFor();
        await page.getByLabel('What the shopper wants').fill(`Rain jacket, ${size.name}`);
        await page.getByLabel('Type').selectOption('CATEGORY');
        await page.getByRole('button', { name: 'Save lead' }).click();
        await page.getByRole('status').getByText('Lead saved.').waitFor();
        await page
          .getByRole('heading', { name: new RegExp(`: Rain jacket, ${size.name}$`) })
          .waitFor();

        const saved = /\/app\/leads\/(\d+)/.exec(page.url())?.[1];
        assert.ok(saved, 'on the saved lead’s page');

        // The board: the new lead moves to ON_HOLD, dragged on a desktop, by its Move link
        // and the keyboard on a phone; either way the dialog asks for the reason.
        await page.getByRole('link', { name: 'Board', exact: true }).click();
        await page.getByRole('heading', { name: 'Board', exact: true }).waitFor();
        assert.deepEqual(await seriousViolations(page), [], 'the board');
        const card = page.locator(`[data-lead-id="${saved}"]`);
        assert.equal(await card.getAttribute('data-status'), 'OPEN');
        if (size.name === 'desktop') {
          await card.dragTo(page.locator('[data-column="ON_HOLD"]'));
        } else {
          await card.getByRole('link', { name: `Move lead #${saved} to another status` }).focus();
          await page.keyboard.press('Enter');
          await page.getByLabel('New status').selectOption('ON_HOLD');
        }
        const dialog = page.getByRole('dialog', { name: `Move lead #${saved}` });
        await dialog.waitFor();
        assert.equal(await dialog.getByLabel('New status').inputValue(), 'ON_HOLD');
        assert.deepEqual(await seriousViolations(page), [], 'the board’s dialog');
        await page.screenshot({ path: path.join(SCREENS, `board-move-${size.name}.png`) });
        await dialog.getByLabel('Sub-status').selectOption('Awaiting stock');
        await dialog.getByLabel('Reason').selectOption({ label: HOLD_REASON });
        await dialog.getByRole('button', { name: 'Move' }).click();
        await page.getByRole('status').getByText(`Lead #${saved} moved.`).waitFor();
        assert.equal(
          await page.locator(`[data-column="ON_HOLD"] [data-lead-id="${saved}"]`).count(),
          1,
        );
        await page.screenshot({ path: path.join(SCREENS, `board-${size.name}.png`) });
        await assertFitsScreen(page, 'the board');

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(`${server.base}/app/login`);
        // Signed out on the server: going back to the start page asks to sign in again.
        await page.goto(`${server.base}/app`);
        assert.equal(new URL(page.url()).pathname, '/app/login');
        assert.deepEqual(scriptErrors, [], 'no script error or CSP refusal in the console');
      } finally {
        await context.close();
      }
    });
  }

  /** Signs `who` in on the form and waits for the start page. */
  async function signIn(page: Page, who: { code: string; password: string }): Promise<void> {
    await page.goto(`${server.base}/app/login`);
    await page.getByLabel('Username').fill(who.code);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`Welcome, ${who.code}.`).waitFor();
  }

  for (const size of SIZES) {
    it(`lets an admin define and translate a field, save a setting, add an OAuth client and a webhook endpoint and see each secret once, at ${size.name} size`, async () => {
      const context = await browser.newContext({ viewport: size.viewport });
      const page = await context.newPage();
      const scriptErrors = scriptErrorsOf(page);
      const toAdmin = async (section: string) => {
        await page.getByRole('link', { name: 'Admin', exact: true }).click();
        await page.getByRole('link', { name: section, exact: true }).click();
        await page.getByRole('heading', { name: section, exact: true }).waitFor();
      };
      try {
        await signIn(page, admin);
        await toAdmin('Extended fields');
        const fieldName = `finish_${size.name}`;
        await page.getByLabel('Name (letters, digits, _; the API’s key)').fill(fieldName);
        await page.getByLabel('Label', { exact: true }).fill('Finish');
        await page.getByLabel('Type', { exact: true }).selectOption('ENUM');
        await page.getByLabel('Values (ENUM only, one per line)').fill('MATT\nGLOSS');
        await page.getByRole('button', { name: 'Define field' }).click();
        await page.getByRole('status').getByText('Field defined').waitFor();
        const translate = page.locator(`#translate-${fieldName}`);
        await translate.getByLabel('Language (two letters, e.g. hi)').fill('hi');
        await translate.getByLabel('MATT shown as').fill('मैट');
        await translate.getByRole('button', { name: 'Save translation' }).click();
        await page.getByRole('status').getByText('Translation saved.').waitFor();
        await page
          .locator('li', { has: page.locator(`#translate-${fieldName}`) })
          .getByText('MATT → मैट')
          .waitFor();
        assert.deepEqual(await seriousViolations(page), [], 'the extended fields page');
        await assertFitsScreen(page, 'the extended fields page');

        await toAdmin('Settings');
        const retention = size.name === 'phone' ? '30' : '31';
        await page.getByLabel('Days lead events are kept').fill(retention);
        await page.getByRole('button', { name: 'Save settings' }).click();
        await page.getByRole('status').getByText('Settings saved.').waitFor();
        assert.equal(await page.getByLabel('Days lead events are kept').inputValue(), retention);
        assert.deepEqual(await seriousViolations(page), [], 'the settings page');
        await assertFitsScreen(page, 'the settings page');
        await page.screenshot({
          path: path.join(SCREENS, `admin-settings-${size.name}.png`),
          fullPage: true,
        });

        await toAdmin('OAuth clients');
        await page.getByLabel('Code of the till or person it acts as').fill(till.code);
        await page.getByRole('button', { name: 'Add client' }).click();
        await page.getByRole('heading', { name: 'The client’s secret' }).waitFor();
        const clientSecret = await page.getByLabel(/^Secret of ll_/).inputValue();
        assert.ok(clientSecret.length >= 32);
        assert.deepEqual(await seriousViolations(page), [], 'the OAuth clients page');
        await assertFitsScreen(page, 'the OAuth clients page');
        await toAdmin('OAuth clients');
        assert.equal(await page.getByText(clientSecret).count(), 0, 'the secret is shown once');

        await toAdmin('Webhooks');
        const url = `https://pos.example.com/hooks-${size.name}`;
        await page.getByLabel('URL (https)').fill(url);
        await page.getByLabel('lead.status_changed').check();
        await page.getByRole('button', { name: 'Add endpoint' }).click();
        await page.getByRole('heading', { name: 'The endpoint’s signing secret' }).waitFor();
        assert.match(await page.getByLabel(`Signing secret of ${url}`).inputValue(), /^whsec_/);
        assert.deepEqual(await seriousViolations(page), [], 'the webhooks page');
        await assertFitsScreen(page, 'the webhooks page');
        await page.screenshot({
          path: path.join(SCREENS, `admin-webhooks-${size.name}.png`),
          fullPage: true,
        });
        await page.getByRole('link', { name: url, exact: true }).click();
        await page
          .getByRole('heading', { name: 'Send again the events of a time range' })
          .waitFor();
        assert.deepEqual(await seriousViolations(page), [], 'an endpoint’s deliveries');
        await assertFitsScreen(page, 'an endpoint’s deliveries');
        await page.getByRole('button', { name: 'Send again', exact: true }).click();
        await page
          .getByRole('status')
          .getByText(/^Sent again: \d+ deliveries made\.$/)
          .waitFor();
        assert.deepEqual(scriptErrors, [], 'no script error or CSP refusal in the console');
      } finally {
        await context.close();
      }
    });
  }

  for (const size of SIZES) {
    it(`lets an admin add a sub-status and flag a reason, which the till can then pick, at ${size.name} size`, async () => {
      const context = await browser.newContext({ viewport: size.viewport });
      const page = await context.newPage();
      const scriptErrors = scriptErrorsOf(page);
      const subStatus = `Gift wrapped (${size.name})`;
      try {
        await signIn(page, admin);
        await page.getByRole('link', { name: 'Admin', exact: true }).click();
        await page.getByRole('heading', { name: 'Administration', exact: true }).waitFor();
        assert.deepEqual(await seriousViolations(page), [], 'the administration page');

        await page.getByRole('link', { name: 'Sub-statuses', exact: true }).click();
        await page.getByLabel('Status', { exact: true }).selectOption('WON');
        await page.getByLabel('New sub-status').fill(subStatus);
        await page.getByRole('button', { name: 'Add sub-status' }).click();
        await page.getByRole('status').getByText('Sub-status added').waitFor();
        await page.getByRole('region', { name: /^Won/ }).getByText(subStatus).waitFor();
        assert.deepEqual(await seriousViolations(page), [], 'the sub-statuses page');
        await page.screenshot({
          path: path.join(SCREENS, `admin-sub-statuses-${size.name}.png`),
          fullPage: true,
        });

        await page.getByRole('link', { name: 'Admin', exact: true }).click();
        await page.getByRole('link', { name: 'Reasons', exact: true }).click();
        const reason = `Colour sold out (${size.name})`;
        await page.getByLabel('New reason').fill(reason);
        await page.getByRole('button', { name: 'Add reason' }).click();
        await page.getByRole('status').getByText('Reason added.').waitFor();
        await page.getByRole('button', { name: `Mark not available: ${reason}` }).click();
        await page.getByRole('status').getByText('Reason changed.').waitFor();
        await page.getByRole('button', { name: `Clear “not available”: ${reason}` }).waitFor();
        assert.deepEqual(await seriousViolations(page), [], 'the reasons page');
        await page.screenshot({
          path: path.join(SCREENS, `admin-reasons-${size.name}.png`),
          fullPage: true,
        });
        await assertFitsScreen(page, 'the reasons page');
        // The change is in the audit log, as the admin's.
        await page.getByRole('link', { name: 'Admin', exact: true }).click();
        await page.getByRole('link', { name: 'Audit log', exact: true }).click();
        await page.getByRole('heading', { name: 'Audit log', exact: true }).waitFor();
        await page.getByText('reason.update').first().waitFor();
        assert.deepEqual(await seriousViolations(page), [], 'the audit log');
        await assertFitsScreen(page, 'the audit log');
        await page.getByRole('link', { name: 'Admin', exact: true }).click();
        await page.getByRole('link', { name: 'People and tills', exact: true }).click();
        await page.getByRole('heading', { name: 'People and tills', exact: true }).waitFor();
        await page.getByText(till.code, { exact: true }).waitFor();
        assert.deepEqual(await seriousViolations(page), [], 'the people page');
        await assertFitsScreen(page, 'the people page');
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(`${server.base}/app/login`);

        // The till sees no administration, and picks what the admin added.
        await signIn(page, till);
        assert.equal(await page.getByRole('link', { name: 'Admin', exact: true }).count(), 0);
        // The dashboard before and after: one more lead won.
        const wonOnDashboard = async () => {
          await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
          const funnel = page.getByRole('region', { name: 'Funnel figures' });
          return Number(
            await funnel.getByRole('row', { name: /^Won/ }).getByRole('cell').first().textContent(),
          );
        };
        const wonBefore = await wonOnDashboard();
        await page.goto(`${server.base}/app/leads/${scarfLeads.get(size.name)}`);
        await page.getByLabel('New status').selectOption('WON');
        await page.getByLabel('Sub-status').selectOption(subStatus);
        await page.getByLabel('Reason').selectOption({ label: reason });
        await page.getByRole('button', { name: 'Change status' }).click();
        await page.getByRole('status').getByText('Status changed.').waitFor();
        await page.getByText(`Won · ${subStatus}`).first().waitFor();
        assert.equal(await wonOnDashboard(), wonBefore + 1);
        await page.getByRole('heading', { name: /^Dashboard/ }).waitFor();
        assert.deepEqual(await seriousViolations(page), [], 'the dashboard');
        await page.screenshot({
          path: path.join(SCREENS, `dashboard-${size.name}.png`),
          fullPage: true,
        });
        await assertFitsScreen(page, 'the dashboard');
        assert.deepEqual(scriptErrors, [], 'no script error or CSP refusal in the console');
      } finally {
        await context.close();
      }
    });
  }

  it('keeps each page under 100 KB on first load and works on a slow 3G phone', async () => {
    // Chrome DevTools' "Slow 3G": 400 ms of latency, 400 kbit/s each way.
    const slow3g = {
      offline: false,
      latency: 400,
      downloadThroughput: (400 * 1024) / 8,
      uploadThroughput: (400 * 1024) / 8,
    };
    /** A phone-sized page on a slow 3G line, with a count of the bytes it receives. */
    const slowPage = async (cookies: Awaited<ReturnType<BrowserContext['cookies']>> = []) => {
      const context = await browser.newContext({ viewport: SIZES[0].viewport });
      await context.addCookies(cookies);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', slow3g);
      const received = { bytes: 0 };
      // Bytes on the wire (headers and compressed bodies) of every finished request.
      cdp.on('Network.loadingFinished', (event) => {
        received.bytes += event.encodedDataLength;
      });
      return { context, page, received };
    };

    const signing = await slowPage();
    const leadId = scarfLeads.get('phone');
    try {
      await signIn(signing.page, till);
      const cookies = await signing.context.cookies();
      const weights: Record<string, number> = {};
      for (const [name, url] of [
        ['Today', '/app'],
        ['Leads', '/app/leads'],
        ['Lead', `/app/leads/${leadId}`],
        ['New lead', '/app/leads/new'],
        ['Board', '/app/board'],
        ['Dashboard', '/app/dashboard'],
      ] as const) {
        // A new context each time: nothing cached, the weight of a first visit.
        const { context, page, received } = await slowPage(cookies);
        try {
          await page.goto(`${server.base}${url}`);
          await page.getByRole('heading', { level: 1 }).first().waitFor();
          weights[name] = received.bytes;
        } finally {
          await context.close();
        }
      }
      process.stderr.write(`first-load bytes on the wire: ${JSON.stringify(weights)}\n`);
      for (const [name, bytes] of Object.entries(weights)) {
        assert.ok(bytes > 1000, `${name}: ${bytes} bytes counted`);
        assert.ok(bytes < 100 * 1024, `${name} weighs ${bytes} bytes on first load`);
      }

      // Working on the slow line: a follow-up added from the lead page.
      const { page } = signing;
      await page.goto(`${server.base}/app/leads/${leadId}`);
      await page.getByLabel('What happened').fill('Called on a slow line');
      await page.getByRole('button', { name: 'Add follow-up' }).click();
      await page.getByRole('status').getByText('Follow-up added.').waitFor();
      await page
        .getByRole('region', { name: 'History' })
        .getByText('Called on a slow line')
        .waitFor();
    } finally {
      await signing.context.close();
    }
  });

  it('switches to Hindi and back, the field labels and notices with it', async () => {
    const context = await browser.newContext({ viewport: SIZES[0].viewport });
    const page = await context.newPage();
    const scriptErrors = scriptErrorsOf(page);
    try {
      await page.goto(`${server.base}/app/login`);
      await page.getByRole('link', { name: 'हिन्दी' }).click();
      await page.getByRole('heading', { name: 'साइन इन', exact: true }).waitFor();
      await page.getByLabel('यूज़रनेम').fill(till.code);
      await page.getByLabel('पासवर्ड').fill(till.password);
      await page.getByRole('button', { name: 'साइन इन' }).click();
      await page.getByRole('heading', { name: 'आज', exact: true }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), 'hi');
      assert.deepEqual(await seriousViolations(page), [], 'Today in Hindi');
      await page.screenshot({ path: path.join(SCREENS, 'start-hindi-phone.png') });
      await page.getByRole('link', { name: 'बोर्ड', exact: true }).click();
      await page.getByRole('heading', { name: 'बोर्ड', exact: true }).waitFor();
      // The statuses by their Hindi names: the column of won leads.
      await page.getByRole('heading', { name: /^जीती गई \(\d+\+?\)$/ }).waitFor();
      await page.getByRole('link', { name: 'English' }).click();
      await page.getByRole('heading', { name: 'Today', exact: true }).waitFor();
      assert.deepEqual(scriptErrors, [], 'no script error or CSP refusal in the console');
    } finally {
      await context.close();
    }
  });

  it('says on the form, as an alert, that a password is wrong', async () => {
    const context = await browser.newContext({ viewport: SIZES[0].viewport });
    const page = await context.newPage();
    try {
      await page.goto(`${server.base}/app/login`);
      await page.getByLabel('Username').fill(till.code);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.equal(await alert.textContent(), 'The username or password is wrong.');
      // The username stays filled in; the password does not.
      assert.equal(await page.getByLabel('Username').inputValue(), till.code);
      assert.equal(await page.getByLabel('Password').inputValue(), '');
    } finally {
      await context.close();
    }
  });
});
