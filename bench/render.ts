// Rendering throughput on one core: every shipped campaign template in both locales (subject +
// HTML + text, warm: parsed once, as a warm sender holds them), emails per second, before (the
// baseline tree's renderer and pre-journey campaign files) and now (the journeys' stored
// templates, as the sender renders a journey send), the two measured in turn in this one process.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadProgram } from '#shared/config/program-file.ts';
import { loadJourneyFiles } from '#shared/journeys/files.ts';
import { journeySendRender } from '#shared/journeys/preview.ts';
import { sampleFacts, sampleRenderCustomer } from '#shared/journeys/sample.ts';
import {
  type RenderCustomer,
  type RenderInput,
  TemplateRenderer,
} from '#shared/mail/render.ts';
import { trees } from './baseline.ts';
import type { BenchSection } from './report.ts';
import type { Headline } from './summary.ts';
import { median } from './timing.ts';

const CAMPAIGNS = ['birthday.yaml', 'tier-upgrade.yaml', 'win-back.yaml'];
const LOCALES = ['en-US', 'zh-CN'];

interface TreeRenderer {
  /** Renders every (template, locale) once; resolves to the number of emails rendered. */
  renderAll(): Promise<number>;
}

/** The shipped journeys' send steps in both locales, each journey's stored templates parsed once. */
async function journeysRenderer(tree: string): Promise<TreeRenderer> {
  const program = loadProgram({});
  const now = new Date('2027-03-01T12:00:00Z');
  const jobs: [TemplateRenderer, RenderInput][] = [];
  for (const file of CAMPAIGNS) {
    const files = await loadJourneyFiles(path.join(tree, 'campaigns', file));
    const renderer = new TemplateRenderer(files.templates, program);
    for (const step of files.journey.steps) {
      if (!('send' in step)) continue;
      for (const locale of LOCALES) {
        const input = journeySendRender({
          program,
          journey: files.journey,
          step,
          facts: sampleFacts(program, locale, now),
          customer: sampleRenderCustomer(locale),
          now,
        });
        jobs.push([renderer, input]);
      }
    }
  }
  return {
    async renderAll() {
      for (const [renderer, input] of jobs) await renderer.render(input);
      return jobs.length;
    },
  };
}

/** The baseline tree's own renderer, campaign loader and sample data, imported from its files. */
async function baselineRenderer(tree: string): Promise<TreeRenderer> {
  const load = <T>(file: string) => import(pathToFileURL(path.join(tree, file)).href) as Promise<T>;
  // The pre-journey campaign shape, as far as this bench touches it.
  type Campaign = { id: string };
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
  const was = await baselineRenderer(before);
  const now = await journeysRenderer(after);
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
  const perSecond = Math.round(median(rates.now));
  const headlines: Headline[] = [
    {
      row: 'render',
      now: `${perSecond.toLocaleString('en-US')} emails per CPU-second (${(1000 / perSecond).toFixed(3)} ms), ${median(rates.ratio).toFixed(1)}× the baseline in this run`,
      met: perSecond >= 5000 ? 'yes' : 'no',
    },
  ];
  return {
    headlines,
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
