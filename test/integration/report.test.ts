// `loyalty report` against the local runtime: terminal text, --json, and the HTML report rendered
// in headless Chromium (screenshot taken, the key numbers read back from the DOM).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { StoredReports } from '#shared/store/stored-reports.ts';
import { main } from '../../cli/main.ts';
import { Q2, seedPopulation } from './analytics-population.ts';

let local: LocalRuntime;
let dir: string;

beforeAll(async () => {
  local = await startLocal({ now: '2026-07-01T00:00:00Z', ports: 'random' });
  await seedPopulation(local);
  dir = await mkdtemp(path.join(tmpdir(), 'loyalty-report-'));
}, 60_000);
afterAll(async () => {
  await local?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function loyalty(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  stdout.on('data', (chunk: Buffer) => chunks.stdout.push(chunk));
  stderr.on('data', (chunk: Buffer) => chunks.stderr.push(chunk));
  const endpoint = `aws=${local.endpoints.aws},dynamodb=${local.endpoints.dynamo},ses=${local.endpoints.ses}`;
  const code = await main(['node', 'loyalty', '--endpoint', endpoint, ...args], { stdout, stderr, cwd: dir });
  return {
    code,
    stdout: Buffer.concat(chunks.stdout).toString(),
    stderr: Buffer.concat(chunks.stderr).toString(),
  };
}

const period = ['--from', Q2.from.slice(0, 10), '--to', Q2.to.slice(0, 10)];

describe('loyalty report (CLI)', () => {
  it('prints a readable terminal report with the key numbers', async () => {
    const { code, stdout } = await loyalty('report', ...period);
    expect(code).toBe(0);
    expect(stdout).toContain('Loyalty report  2026-04-01 → 2026-07-01');
    expect(stdout).toMatch(/Retention rate\s+66\.7%/);
    expect(stdout).toMatch(/Average order value\s+\$170\.00/);
    expect(stdout).toMatch(/NPS\s+25/);
    expect(stdout).toContain('spring-sale');
    // Every rate with its own group: 1 of the 2 recipients, 0 of the 2 held out.
    expect(stdout).toMatch(/recipients\s+converted 1 of 2 \(50\.0%\)/);
    expect(stdout).toMatch(/holdout\s+converted 0 of 2 \(0\.0%\)/);
    expect(stdout).toMatch(
      /uplift 50\.0 pts \[[-\d.]+, [-\d.]+\] — not significant at 95%: too few customers — needs about \d+ per group/,
    );
    expect(stdout).toMatch(/no tier\s+1 /);
  });

  it('prints the report as JSON for scripts', async () => {
    const { code, stdout } = await loyalty('--json', 'report', ...period);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.metrics.revenueMilli).toBe(680_000);
    expect(report.campaigns[0].converted).toBe(1);
  });

  it('defaults to the 90 days up to the local runtime’s simulated now, not the real date', async () => {
    const { code, stdout } = await loyalty('--json', 'report');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.generatedAt).toBe('2026-07-01T00:00:00.000Z');
    expect(report.metrics.period).toEqual({
      from: '2026-04-02T00:00:00.000Z',
      to: '2026-07-01T00:00:00.000Z',
    });
  });

  it('refuses a period that ends before it starts, with the usage exit code', async () => {
    const { code, stderr } = await loyalty('report', '--from', '2026-07-01', '--to', '2026-04-01');
    expect(code).toBe(2);
    expect(stderr).toContain('--from must be before --to');
  });

  it('writes a self-contained HTML report that renders in headless Chromium with the key numbers', async () => {
    const { code } = await loyalty('report', ...period, '--html', 'report.html');
    expect(code).toBe(0);
    const file = path.join(dir, 'report.html');
    const html = await readFile(file, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);

    // A fresh profile directory per run (launchPersistentContext is how Playwright takes one).
    const browser = await chromium.launchPersistentContext(path.join(dir, 'chromium-profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`file://${file}`);
      const metric = (key: string) => page.locator(`[data-metric="${key}"]`).textContent();
      expect(await metric('retentionRate')).toBe('66.7%');
      expect(await metric('averageOrderValue')).toBe('$170.00');
      expect(await metric('revenue')).toBe('$680.00');
      expect(await metric('nps')).toBe('25');
      expect(await page.locator('tr[data-campaign="spring-sale"] [data-uplift]').textContent()).toMatch(
        /^50\.0 pts \[/,
      );
      for (const chart of ['chart-tiers', 'chart-retention', 'chart-funnel-0', 'chart-uplift']) {
        const box = await page.locator(`#${chart}`).boundingBox();
        expect(box?.width, chart).toBeGreaterThan(100);
      }
      const screenshot = process.env.REPORT_SCREENSHOT ?? path.join(dir, 'report.png');
      const png = await page.screenshot({ path: screenshot, fullPage: true });
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('shows a report the weekly run stored by an earlier version (--stored), its missing parts empty and named', async () => {
    const built = await loyalty('--json', 'report', ...period);
    const { coupons: _c, steps: _s, ...campaign } = JSON.parse(built.stdout).campaigns[0];
    const { controlGroup: _g, unattributedCodes: _u, ...old } = JSON.parse(built.stdout);
    await new StoredReports(local.doc, local.tableName).save(
      { period: 'month-2026-06', from: '2026-06-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z', computedAt: '2026-07-01T00:00:00.000Z' },
      { ...old, campaigns: [campaign] },
    );
    const shown = await loyalty('report', '--stored', 'month-2026-06');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('spring-sale');
    expect(shown.stdout).toMatch(/recipients\s+converted 1 of 2 \(50\.0%\)/);
    expect(shown.stdout).toContain('Coupon codes not attributed (orders in the period): expired 0, foreign 0, already used 0');
    expect(shown.stderr).toContain(
      'Stored by an earlier version, before coupon redemptions, results per send step, the global control group, coupon codes not attributed',
    );
    const html = await loyalty('report', '--stored', 'month-2026-06', '--html', 'stored.html');
    expect(html.code).toBe(0);
    expect(await readFile(path.join(dir, 'stored.html'), 'utf8')).toContain('data-campaign="spring-sale"');
    const missing = await loyalty('report', '--stored', 'month-2020-01');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('no stored report for month-2020-01; stored: ');
    expect((await loyalty('report', '--stored', '--from', '2026-04-01')).code).toBe(2);
  });

  it('is served by the local runtime at GET /_local/report', async () => {
    const response = await fetch(`${local.endpoints.aws}/_local/report?from=${Q2.from}&to=${Q2.to}`);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('data-metric="retentionRate">66.7%<');
  });
});
