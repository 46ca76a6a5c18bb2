// The marketer console in headless Chromium against the local runtime: a marketer's whole loop —
// open a journey, edit a template, see the validation error, fix it, preview for a customer in
// zh-CN, publish with a note, look the customer up — with axe-core on every page (no serious or
// critical violation), 375 px and 1440 px, keyboard reach, zh-CN text, no request leaving the
// origin. Screenshots of each page go to a temp folder, or to CONSOLE_SCREENSHOTS (docs/console/
// is refreshed with CONSOLE_SCREENSHOTS=docs/console npx vitest run test/integration/console.test.ts).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axe from 'axe-core';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { ATTRIBUTION_DAYS } from '#shared/domain/step-results.ts';
import { loadJourneyFiles } from '#shared/journeys/files.ts';
import { JourneyCatalogue } from '#shared/store/journeys.ts';
import { StoredReports } from '#shared/store/stored-reports.ts';
import { journeySchema } from '#shared/domain/journey.ts';
import { parse } from 'yaml';
import { pastArmingStart } from '../support/console.ts';

let shots: string;

const WELCOME = `id: welcome
name: Welcome
trigger:
  on: event
  event: Customer Upserted
templates:
  locales: [en-US, zh-CN]
steps:
  - id: wait-1d
    wait: { days: 1 }
  - id: hello
    send: { template: welcome }
`;
const part = (text: string) => ({ subject: `${text} {{ customer.firstName }}`, html: `<p>${text} {{ customer.firstName }}</p>`, text: `${text} {{ customer.firstName }}\n` });
const TEMPLATES = { welcome: { 'en-US': part('Welcome'), 'zh-CN': part('欢迎') } };

let local: LocalRuntime;
let browser: BrowserContext;
let page: Page;
const offOrigin: string[] = [];

async function noSeriousViolations(name: string): Promise<void> {
  // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') still holds.
  await page.evaluate(axe.source);
  const result = await page.evaluate<axe.AxeResults>("axe.run(document, { resultTypes: ['violations'] })");
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${name}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
}

async function shoot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  const wanted = process.env.CONSOLE_SCREENSHOTS;
  shots = wanted ? path.resolve(REPO_ROOT, wanted) : await mkdtemp(path.join(tmpdir(), 'console-shots-'));
  // Only the test's own journeys (its `welcome` would be version 2 of the shipped one).
  local = await startLocal({ now: '2027-03-01T10:00:00Z', ports: 'random', shippedJourneys: false });
  await new JourneyCatalogue(local.doc, local.tableName, local.clock).publish({
    journey: journeySchema.parse(parse(WELCOME)),
    templates: TEMPLATES,
    source: WELCOME,
    by: 'seed',
    note: 'first welcome',
  });
  local.putEvents([
    {
      source: 'shop.customers',
      detailType: 'Customer Upserted',
      detail: { customerId: 'c-1', email: 'mei@example.com', firstName: '小美', locale: 'zh-CN', marketingConsent: true },
    },
  ]);
  await local.drain();
  browser = await chromium.launchPersistentContext(await mkdtemp(path.join(tmpdir(), 'console-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    locale: 'en-US',
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  const origin = new URL(local.endpoints.aws).origin;
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('about:') && !url.startsWith('data:') && !url.startsWith('blob:')) offOrigin.push(url);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await local?.stop();
});

describe('the marketer console', () => {
  it('serves the page with a Content-Security-Policy and bundled assets only', async () => {
    const response = await page.goto(`${local.endpoints.aws}/console/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('a[data-journey="welcome"]').waitFor();
    expect(await page.locator('[data-sent-7d="welcome"]').textContent()).toBe('0');
    await noSeriousViolations('journeys');
    await shoot('journeys');
  });

  it('is keyboard reachable and fits 375 px without sideways scrolling', async () => {
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement?.className')).toBe('skip');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>("document.activeElement?.getAttribute('href')")).toBe('#/journeys');
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await shoot('journeys-375');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('shows one journey as a diagram of its steps with its versions', async () => {
    await page.locator('a[data-journey="welcome"]').click();
    await page.locator('li[data-step="hello"]').waitFor();
    expect(await page.locator('li[data-step="hello"]').textContent()).toContain('send: welcome');
    // The customer who signed up is waiting at the first step.
    expect(await page.locator('[data-at-step="wait-1d"]').textContent()).toBe('1');
    expect(await page.locator('[data-passed="hello"]').textContent()).toBe('0');
    expect(await page.locator('table').last().textContent()).toContain('first welcome');
    await noSeriousViolations('journey');
    await shoot('journey');
  });

  it('edits a template: the validation error appears, the fix clears it, zh-CN preview for a real customer, publish with a note', async () => {
    await page.getByRole('link', { name: 'Edit files' }).click();
    await page.locator('[data-valid]').waitFor();
    await page.locator('#file').selectOption('welcome/zh-CN/subject');
    await page.locator('#source').fill('欢迎 {{ customer.firstName ');
    await page.locator('[data-problems]').waitFor();
    const problems = await page.locator('#problems').textContent();
    expect(problems).toContain('steps.1.send.template');
    expect(problems).toContain('zh-CN:');
    await noSeriousViolations('editor');
    await shoot('editor-error');

    await page.locator('#source').fill('欢迎回来，{{ customer.firstName }}');
    await page.locator('[data-valid]').waitFor();
    await page.getByLabel('Locale').selectOption('zh-CN');
    await page.getByLabel('Customer id (empty: sample customer)').fill('c-1');
    await page.locator('#preview-button').click();
    await page.locator('[data-preview-subject="zh-CN"]').waitFor();
    expect(await page.locator('[data-preview-subject]').textContent()).toBe('欢迎回来，小美');
    expect(await page.locator('pre.email-text').textContent()).toContain('欢迎 小美');
    // The email's own HTML, in its sandboxed frame.
    await page.frameLocator('iframe.email-html').getByText('欢迎 小美').waitFor();
    await noSeriousViolations('preview');
    await shoot('editor-preview');

    await page.locator('#publish').click();
    await page.getByRole('dialog').getByRole('textbox').fill('warmer zh-CN greeting');
    await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).click();
    await page.locator('[data-published="2"]').waitFor();
    const v2 = await new JourneyCatalogue(local.doc, local.tableName, local.clock).version('welcome', 2);
    expect(v2?.note).toBe('warmer zh-CN greeting');
    expect(v2?.publishedBy).toBe('local');
    expect(v2?.templates.welcome?.['zh-CN']?.subject).toBe('欢迎回来，{{ customer.firstName }}');
  });

  it('advances the clock: the send is counted at its step, rendered from the published version', async () => {
    await fetch(`${local.endpoints.aws}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: '2027-03-02T18:00:00Z' }) });
    await page.goto(`${local.endpoints.aws}/console/#/journey/welcome`);
    await page.locator('li[data-step="hello"]').waitFor();
    expect(await page.locator('[data-passed="hello"]').textContent()).toBe('1');
    expect(await page.locator('[data-at-step="wait-1d"]').textContent()).toBe('0');
    const emails = await local.emails();
    expect(emails.map((email) => email.subject)).toEqual(['欢迎回来，小美']);
    await shoot('journey-after-send');
  });

  it('sends a test of the draft to the address typed, marked [TEST], without publishing', async () => {
    await page.goto(`${local.endpoints.aws}/console/#/edit/welcome`);
    await page.locator('[data-valid]').waitFor();
    const before = (await local.emails()).length;
    await page.getByLabel('Send the test to').fill('ana@shop.example');
    await page.getByRole('button', { name: 'Send a test' }).click();
    await page.locator('.ok').filter({ hasText: '[TEST]' }).waitFor();
    const sent = (await local.emails()).slice(before);
    expect(sent.map((email) => [email.destination.to, email.subject])).toEqual([[['ana@shop.example'], '[TEST] Welcome Alex']]);
    expect((await new JourneyCatalogue(local.doc, local.tableName, local.clock).current('welcome'))?.version).toBe(2);
  });

  it('disables, enables and rolls back a journey, each asking for a note that goes into its version record', async () => {
    const catalogue = new JourneyCatalogue(local.doc, local.tableName, local.clock);
    await page.goto(`${local.endpoints.aws}/console/#/journey/welcome`);
    await page.locator('li[data-step="hello"]').waitFor();
    // Cancelling the note changes nothing.
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect((await catalogue.current('welcome'))?.version).toBe(2);
    const change = async (button: string, note: string, version: number) => {
      await page.getByRole('button', { name: button }).click();
      await page.getByRole('dialog').getByRole('textbox').fill(note);
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.locator('h1 + p').filter({ hasText: ` v${version} ` }).waitFor();
      return catalogue.version('welcome', version);
    };
    const v2 = await catalogue.version('welcome', 2);
    const disabled = await change('Disable', 'pause for the sale', 3);
    expect(disabled).toMatchObject({ publishedBy: 'local', note: 'disabled: pause for the sale', journey: { enabled: false }, source: v2?.source, templates: v2?.templates });
    expect(await page.locator('.badge').textContent()).toBe('disabled');
    const enabled = await change('Enable', 'sale over', 4);
    expect(enabled).toMatchObject({ publishedBy: 'local', note: 'enabled: sale over', journey: { enabled: true }, templates: v2?.templates });
    const rolledBack = await change('Roll back to previous version', 'undo the re-enable', 5);
    expect(rolledBack).toMatchObject({ publishedBy: 'local', note: 'rollback to v3: undo the re-enable', journey: { enabled: false }, templates: v2?.templates });
    expect(await page.locator('table').last().textContent()).toContain('rollback to v3: undo the re-enable');
    await change('Enable', 'back on for the rest of the test', 6);
  });

  it('enables a birthday journey onto the stored customers: says arming started, then how many it went through', async () => {
    const files = await loadJourneyFiles('campaigns/birthday.yaml');
    await new JourneyCatalogue(local.doc, local.tableName, local.clock).publish({ ...files, journey: { ...files.journey, enabled: false }, by: 'seed', note: 'drafted off' });
    await page.goto(`${local.endpoints.aws}/console/#/journey/birthday`);
    await page.locator('li[data-step="greeting"]').waitFor();
    expect(await page.locator('[data-arming]').count()).toBe(0);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('dialog').getByRole('textbox').fill('birthdays from now on');
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.locator('#status').filter({ hasText: 'being armed for the customers already stored' }).waitFor();
    // The journey-arming function works off the console's request once every catalogue cache holds
    // the version; the page then says how far it came.
    await pastArmingStart(local);
    await page.reload();
    await page.locator('[data-arming="done"]').waitFor();
    expect(await page.locator('[data-arming] b').textContent()).toBe('1 customers checked');
    await noSeriousViolations('journey-arming');
  });

  it('looks the customer up by address (in the request body, not the URL) and shows consent', async () => {
    await page.goto(`${local.endpoints.aws}/console/#/customers`);
    const bodies: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('mei@')) bodies.push(`URL ${request.url()}`);
      else if (request.postData()?.includes('mei@example.com')) bodies.push('body');
    });
    await page.getByLabel('Customer id or email address').fill('mei@example.com');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('[data-customer="c-1"]').waitFor();
    expect(bodies).toEqual(['body']);
    expect(await page.locator('[data-consent]').textContent()).toBe('✓');
    expect(await page.locator('[data-standing]').textContent()).toContain('orders');
    // explain: the run finished, and its one send went out.
    expect(await page.locator('[data-explain="welcome"] h4').textContent()).toBe('welcome — exited');
    expect(await page.locator('[data-explain="welcome"] [data-send-outcome="hello"]').textContent()).toMatch(/^sent \(message /);
    await noSeriousViolations('customers');
    await shoot('customers');
  });

  it('counts an audience from the weekly population counts and says it is an estimate', async () => {
    await fetch(`${local.endpoints.aws}/_local/predictions/fit`, { method: 'POST' });
    await page.goto(`${local.endpoints.aws}/console/#/audiences`);
    await page.getByRole('button', { name: 'Count' }).click();
    await page.locator('[data-count]').waitFor();
    expect(await page.locator('[data-count]').textContent()).toBe('≈ 1');
    expect(await page.locator('#audience-count').textContent()).toContain('Estimated from the weekly population counts');
    // A sample of matching customers: ids only, checked against the condition now.
    expect(await page.locator('[data-sample] li').allTextContents()).toEqual(['c-1']);
    await noSeriousViolations('audiences');
    await shoot('audiences');
    await page.getByLabel('Locales or languages (comma-separated)').fill('en');
    await page.getByRole('button', { name: 'Count' }).click();
    await page.locator('[data-sample] p').filter({ hasText: 'None of the kept ids' }).waitFor();
    expect(await page.locator('[data-count]').textContent()).toBe('≈ 0');
  });

  it('shows the results for a period, in zh-CN interface text', async () => {
    await page.goto(`${local.endpoints.aws}/console/#/results`);
    await page.locator('#report table').first().waitFor();
    await page.locator('#language').selectOption('zh-CN');
    await page.getByRole('heading', { name: '效果' }).waitFor();
    expect(await page.locator('nav').textContent()).toContain('旅程');
    // The step rows' attribution window is the one the journeys function credits purchases in.
    expect(await page.locator('[data-table$="-steps"]').textContent()).toContain(`${ATTRIBUTION_DAYS} 天内转化`);
    await noSeriousViolations('results');
    await shoot('results');
    expect(offOrigin).toEqual([]);
  });
  it('exports each results table as CSV holding exactly the cells shown', async () => {
    await page.goto(`${local.endpoints.aws}/console/#/results`);
    const section = page.locator('[data-table$="-campaigns"]');
    await section.waitFor();
    const shown = await section.locator('tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent ?? '')));
    expect(shown.slice(1).map((row) => row[0])).toContain('welcome');
    const [download] = await Promise.all([page.waitForEvent('download'), section.locator('button[data-csv]').click()]);
    expect(download.suggestedFilename()).toBe('results-last-30-days-campaigns.csv');
    const file = await download.path();
    const csv = (await readFile(file, 'utf8')).trimEnd().split('\n').map((line) => line.split(','));
    expect(csv).toEqual(shown);
    // Every table of the page has its own export.
    expect(await page.locator('#report section.exportable').count()).toBe(await page.locator('#report section.exportable button[data-csv]').count());
  });

  it('shows a report stored by an earlier version, naming the parts it lacks instead of breaking', async () => {
    const store = new StoredReports(local.doc, local.tableName);
    const current = await store.report('last-30-days');
    expect(current).toBeDefined();
    // The shape the first stored reports had: no coupons, step rows, control group or unattributed codes.
    const { controlGroup: _g, unattributedCodes: _u, ...old } = current?.report ?? {};
    const campaigns = (old.campaigns as Record<string, unknown>[]).map(({ coupons: _c, steps: _s, ...campaign }) => campaign);
    await store.save(
      { period: 'month-2026-11', from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', computedAt: '2026-12-01T00:00:00.000Z' },
      { ...old, campaigns },
    );
    // Already on the results page: load it afresh, so it lists the period just stored.
    await page.goto(`${local.endpoints.aws}/console/#/results`);
    await page.reload();
    await page.locator('#period option[value="month-2026-11"]').waitFor({ state: 'attached' });
    await page.locator('#period').selectOption('month-2026-11');
    await page.locator('#main form button[type="submit"]').click();
    const note = page.locator('[data-older-report]');
    await note.waitFor();
    expect(await note.textContent()).toContain('results per send step');
    // Every table still renders; the ones the old report lacks are empty, not broken.
    expect(await page.locator('[data-table$="-campaigns"] td').first().textContent()).toBe('welcome');
    expect(await page.locator('[data-table$="-steps"] tbody tr').count()).toBe(0);
    await noSeriousViolations('results (older report)');
  });

  describe('every page', () => {
    /** Each page, with what shows once its API answers are in (the editor validates after loading). */
    const READY: Record<string, string> = {
      journeys: 'a[data-journey="welcome"]',
      'journey/welcome': 'li[data-step="hello"]',
      'edit/welcome': '[data-valid]',
      audiences: '#audience-count',
      customers: '#customer-results',
      results: '#report > *',
    };
    const PAGES = Object.keys(READY);
    /** The interface text a page shows: navigation, headings, labels, table headers, buttons. */
    const interfaceText = () =>
      page.evaluate<string[]>(
        "[...document.querySelectorAll('nav a, h2, label[for], legend, th, caption, button, .skip')].map((e) => e.textContent.trim()).filter((text) => /[A-Za-z]{3}/.test(text) || /[\\u4e00-\\u9fff]/.test(text))",
      );
    const open = async (name: string) => {
      await page.goto(`${local.endpoints.aws}/console/#/${name}`);
      await page.locator(`#main ${READY[name]}`).first().waitFor({ state: 'attached' });
    };

    it('fits 375 px without sideways scrolling and uses 1440 px', async () => {
      for (const name of PAGES) {
        for (const width of [375, 1440]) {
          await page.setViewportSize({ width, height: 900 });
          await open(name);
          expect([name, width, await page.evaluate<number>('document.documentElement.scrollWidth')]).toEqual([name, width, width]);
          if (width === 375) await shoot(`${name.replace('/', '-')}-375`);
        }
      }
    });

    it('reaches every control by keyboard', async () => {
      for (const name of PAGES) {
        await open(name);
        const controls = await page.evaluate<number>(
          "[...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex=\"0\"]')].filter((e) => !e.disabled && e.getClientRects().length).map((e, i) => e.setAttribute('data-kb', String(i))).length",
        );
        await page.evaluate('document.activeElement?.blur(); window.scrollTo(0, 0)');
        const reached = new Set<string>();
        for (let press = 0; press < controls + 5; press++) {
          await page.keyboard.press('Tab');
          const at = await page.evaluate<string | null>("document.activeElement?.getAttribute('data-kb') ?? null");
          if (at !== null) reached.add(at);
        }
        const missed = await page.evaluate<string[]>(`[...document.querySelectorAll('[data-kb]')].filter((e) => !${JSON.stringify([...reached])}.includes(e.getAttribute('data-kb'))).map((e) => e.outerHTML.slice(0, 120))`);
        expect([name, missed]).toEqual([name, []]);
        expect([name, reached.size]).toEqual([name, controls]);
      }
    });

    it('shows its interface text in zh-CN, none of it left in English', async () => {
      await page.locator('#language').selectOption('en-US');
      const english = new Set<string>();
      for (const name of PAGES) {
        await open(name);
        for (const text of await interfaceText()) english.add(text);
      }
      await page.locator('#language').selectOption('zh-CN');
      for (const name of PAGES) {
        await open(name);
        expect(await page.evaluate<string>('document.documentElement.lang')).toBe('zh-CN');
        const left = (await interfaceText()).filter((text) => english.has(text));
        expect([name, left]).toEqual([name, []]);
      }
    });
  });
});
