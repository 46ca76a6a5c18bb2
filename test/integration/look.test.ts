// Looking at what a marketer and a customer see, in headless Chromium at phone width (375 px): the
// HTML report of half a year of the living sample shop and one email of every shipped campaign in
// both locales. Layout facts, not pixels:
// the call-to-action button drawn above the fold,
// nothing wider than the screen, and every Chinese character drawn with a real glyph (no tofu
// boxes: the CJK font must be installed, .ci/run does it). Screenshots go to LOOK_SCREENSHOTS
// (docs/screenshots when refreshing the ones in the docs) or a temp folder.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { loadProgram } from '#shared/config/program-file.ts';
import type { SendJourneyStep } from '#shared/domain/journey.ts';
import { loadJourneyFiles } from '#shared/journeys/files.ts';
import { renderJourneySend } from '#shared/journeys/preview.ts';
import { sampleFacts, sampleRenderCustomer } from '#shared/journeys/sample.ts';
import { startLivingShop } from '#infra/local/living-shop.ts';
import { sampleEvents } from '#infra/local/sample-data.ts';

const SHOP_CUSTOMERS = 60;
const Q2 = { from: '2026-04-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' };

const PHONE = { width: 375, height: 812 };
const CAMPAIGNS_DIR = path.resolve('campaigns');
let local: LocalRuntime;
let browser: BrowserContext;
let dir: string;
let shots: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'look-'));
  shots = process.env.LOOK_SCREENSHOTS ? path.resolve(process.env.LOOK_SCREENSHOTS) : dir;
  await mkdir(shots, { recursive: true });
  // Half a year of the living sample shop with the shipped journeys, so the report has what a
  // marketer reads: journeys with holdouts, several send steps, coupons issued and redeemed.
  local = await startLocal({ now: '2026-01-01T12:00:00Z', ports: 'random' });
  local.putEvents(sampleEvents({ customers: SHOP_CUSTOMERS, now: local.clock.now() }));
  await local.drain();
  startLivingShop(local, { customers: SHOP_CUSTOMERS });
  local.everyDay('ses-events', () => local.sesEvents.publishNewSends());
  await local.advanceTo(Q2.to);
  browser = await chromium.launchPersistentContext(path.join(dir, 'chromium-profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: PHONE,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await local?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** How far the page is wider than the viewport (0 when nothing scrolls sideways). */
const horizontalOverflow = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

/**
 * Characters drawn as the missing-glyph box: each non-ASCII character of the page text (plus
 * `probe`) is drawn in the body's font beside U+0378, which no font has; identical pixels mean
 * tofu. Browser code as text: this project compiles without the DOM library.
 */
const tofu = (page: Page, probe: string) =>
  page.evaluate<string[]>(`(() => {
    const font = getComputedStyle(document.body).fontFamily;
    const draw = (char) => {
      const canvas = document.createElement('canvas');
      canvas.width = 48;
      canvas.height = 48;
      const context = canvas.getContext('2d');
      context.font = '32px ' + font;
      context.fillText(char, 4, 38);
      return Array.from(context.getImageData(0, 0, 48, 48).data).join(',');
    };
    const missing = draw('\u0378');
    const chars = [...new Set([...(document.body.innerText + ${JSON.stringify(probe)})].filter((c) => c.charCodeAt(0) > 0x7f))];
    return chars.filter((char) => draw(char) === missing);
  })()`);

/**
 * The call-to-action buttons: how many, and whether the first is drawn (not hidden, not empty)
 * and ends within the first screen of a phone (812 px), so a reader sees it without scrolling.
 */
const ctaBox = (page: Page) =>
  page.evaluate<{ count: number; visible: boolean; aboveTheFold: boolean }>(`(() => {
    const buttons = document.querySelectorAll('a.cta');
    const box = buttons[0] ? buttons[0].getBoundingClientRect() : undefined;
    return {
      count: buttons.length,
      visible: Boolean(box && box.width > 40 && box.height >= 40 && getComputedStyle(buttons[0]).visibility === 'visible'),
      aboveTheFold: Boolean(box && box.bottom <= ${PHONE.height} && box.right <= ${PHONE.width}),
    };
  })()`);

describe('the HTML report at phone width', () => {
  it('fits 375 px without sideways scrolling (wide tables scroll inside their panel)', async () => {
    const response = await fetch(`${local.endpoints.aws}/_local/report?from=${Q2.from}&to=${Q2.to}`);
    const page = await browser.newPage();
    await page.setContent(await response.text());
    expect(await horizontalOverflow(page)).toBe(0);
    // The panels a marketer reads are filled: several send steps, and coupons issued and redeemed.
    expect(await page.locator('tr[data-steps="win-back"]').count()).toBeGreaterThan(1);
    expect(await page.locator('tr[data-coupons="birthday"]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-uplift]').filter({ hasText: 'pts' }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(shots, 'report-375.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: path.join(shots, 'report-1280.png'), fullPage: true });
    await page.close();
  }, 60_000);
});

describe('one email of every shipped journey, in both locales, at phone width', async () => {
  const program = loadProgram({});
  const now = new Date('2026-07-01T12:00:00Z');
  const files = (await readdir(CAMPAIGNS_DIR))
    .filter((f) => f.endsWith('.yaml') && f !== 'program.yaml')
    .sort();
  const cases = (
    await Promise.all(
      files.map(async (file) => {
        const shipped = await loadJourneyFiles(path.join(CAMPAIGNS_DIR, file));
        const step = shipped.journey.steps.find((s): s is SendJourneyStep => 'send' in s);
        if (!step) throw new Error(`${file} has no send step`);
        return shipped.journey.templates.locales.map((locale) => ({ shipped, step, locale }));
      }),
    )
  ).flat();

  it('covers every shipped journey in en-US and zh-CN', () => {
    expect(new Set(cases.map((c) => c.shipped.journey.id)).size).toBe(files.length);
    expect(new Set(cases.map((c) => c.locale))).toEqual(new Set(['en-US', 'zh-CN']));
  });

  it.each(cases.map((c) => [`${c.shipped.journey.id} ${c.locale}`, c] as const))(
    '%s: no sideways scrolling, no missing glyphs, the call to action above the fold',
    async (name, { shipped, step, locale }) => {
      const campaign = shipped.journey;
      const email = await renderJourneySend({
        program,
        journey: shipped.journey,
        templates: shipped.templates,
        step,
        facts: sampleFacts(program, locale, now),
        customer: sampleRenderCustomer(locale),
        now,
      });
      const page = await browser.newPage();
      await page.setContent(email.html);
      expect(await horizontalOverflow(page), name).toBe(0);
      // The probe proves the check can fail: U+0379 has no glyph anywhere.
      expect(await tofu(page, '\u0379'), name).toEqual(['\u0379']);
      expect(await ctaBox(page), name).toMatchObject({ count: 1, visible: true, aboveTheFold: true });
      await page.screenshot({ path: path.join(shots, `email-${campaign.id}-${locale}.png`), fullPage: true });
      await page.close();
    },
    60_000,
  );
});
