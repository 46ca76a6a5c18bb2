// Rendering throughput on one core: every shipped campaign template in both locales (subject +
// HTML + text, warm: parsed once, as a warm sender holds them), emails per second, before (the
// baseline tree's renderer) and now, the two measured in turn in this one process.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Campaign } from '#shared/domain/campaign.ts';
import type { RenderCustomer, TemplateRenderer } from '#shared/mail/render.ts';
import { trees } from './baseline.ts';
import type { BenchSection } from './report.ts';
import { median } from './timing.ts';

const CAMPAIGNS = ['birthday.yaml', 'tier-upgrade.yaml', 'win-back.yaml'];
const LOCALES = ['en-US', 'zh-CN'];

interface TreeRenderer {
  /** Renders every (template, locale) once; resolves to the number of emails rendered. */
  renderAll(): Promise<number>;
}

/** The tree's own renderer, campaign loader and sample data, imported from its files. */
async function rendererOf(tree: string): Promise<TreeRenderer> {
  const load = <T>(file: string) => import(pathToFileURL(path.join(tree, file)).href) as Promise<T>;
  const { loadCampaignFile } = await load<{ loadCampaignFile(file: string): Promise<Campaign> }>(
    'shared/campaigns/load.ts',
  );
  const { campaignTemplates } = await load<{ campaignTemplates(campaign: Campaign): string[] }>(
    'shared/domain/campaign.ts',
  );
  const checks = await load<{
    renderSample(
      renderer: TemplateRenderer,
      campaign: Campaign,
      template: string,
      locale: string,
      customer?: RenderCustomer,
    ): Promise<unknown>;
  }>('shared/campaigns/check-templates.ts');
  const { TemplateRenderer: Renderer } = await load<{
    TemplateRenderer: new (dir: string) => TemplateRenderer;
  }>('shared/mail/render.ts');
  const renderer = new Renderer(path.join(tree, 'campaigns/templates'));
  const jobs: [Campaign, string, string][] = [];
  for (const file of CAMPAIGNS) {
    const campaign = await loadCampaignFile(path.join(tree, 'campaigns', file));
    for (const template of campaignTemplates(campaign))
      for (const locale of LOCALES) jobs.push([campaign, template, locale]);
  }
  return {
    async renderAll() {
      for (const [campaign, template, locale] of jobs)
        await checks.renderSample(renderer, campaign, template, locale);
      return jobs.length;
    },
  };
}

/**
 * Emails per second of CPU time this process spent: the throughput of one core, whatever else the
 * machine runs (wall time on a shared machine measures the neighbours).
 */
async function emailsPerCpuSecond(renderer: TreeRenderer, seconds: number): Promise<number> {
  let emails = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  while (performance.now() - started < seconds * 1000) emails += await renderer.renderAll();
  const used = process.cpuUsage(cpu);
  return emails / ((used.user + used.system) / 1e6);
}

export async function benchRender({ rounds = 5, seconds = 1 } = {}): Promise<BenchSection> {
  const { before, after } = trees();
  const was = await rendererOf(before);
  const now = await rendererOf(after);
  const jobs = await now.renderAll(); // parse and cache, as a warm Lambda has
  await was.renderAll();
  const rates: { before: number[]; now: number[]; ratio: number[] } = { before: [], now: [], ratio: [] };
  for (let round = 0; round < rounds; round++) {
    const b = await emailsPerCpuSecond(was, seconds);
    const n = await emailsPerCpuSecond(now, seconds);
    rates.before.push(b);
    rates.now.push(n);
    rates.ratio.push(n / b);
  }
  return {
    title:
      'Render: subject + HTML + text per email, warm, per CPU-second of one core (shipped campaigns, en-US and zh-CN)',
    rows: [
      {
        'templates × locales': jobs,
        'before emails/s': Math.round(median(rates.before)),
        'now emails/s': Math.round(median(rates.now)),
        'before ms/email': Number((1000 / median(rates.before)).toFixed(3)),
        'now ms/email': Number((1000 / median(rates.now)).toFixed(3)),
        'now / before (throughput)': Number(median(rates.ratio).toFixed(2)),
      },
    ],
    notes: [
      `${rounds} rounds of ${seconds} s each, before and now in turn; medians. Rates are per second of`,
      "this process's CPU time (process.cpuUsage), which GC and the event loop share with rendering.",
    ],
  };
}
