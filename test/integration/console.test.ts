// The marketer console in headless Chromium against the local runtime: a marketer's whole loop —
// open a journey, edit a template, see the validation error, fix it, preview for a customer in
// zh-CN, publish with a note, look the customer up — with axe-core on every page (no serious or
// critical violation), 375 px and 1440 px, keyboard reach, zh-CN text, no request leaving the
// origin. Screenshots of each page go to a temp folder, or to CONSOLE_SCREENSHOTS (docs/console/
// is refreshed with CONSOLE_SCREENSHOTS=docs/console npx vitest run test/integration/console.test.ts).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axe from 'axe-core';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { JourneyCatalogue } from '#shared/store/journeys.ts';
import { journeySchema } from '#shared/domain/journey.ts';
import { parse } from 'yaml';

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
  local = await startLocal({ now: '2027-03-01T10:00:00Z', ports: 'random' });
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
    await noSeriousViolations('audiences');
    await shoot('audiences');
  });

  it('shows the results for a period, in zh-CN interface text', async () => {
    await page.goto(`${local.endpoints.aws}/console/#/results`);
    await page.locator('#report table').first().waitFor();
    await page.locator('#language').selectOption('zh-CN');
    await page.getByRole('heading', { name: '效果' }).waitFor();
    expect(await page.locator('nav').textContent()).toContain('旅程');
    await noSeriousViolations('results');
    await shoot('results');
    expect(offOrigin).toEqual([]);
  });
});
