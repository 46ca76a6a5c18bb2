// Publish-time template check: every template of a campaign, in every locale it promises, is
// rendered with a representative customer and the campaign's sample variables through the
// sender's own renderer (strict variables), so a missing variable fails here, not in an inbox.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Campaign, campaignTemplates } from '../domain/campaign.ts';
import { type RenderCustomer, type RenderedEmail, TemplateRenderer } from '../mail/render.ts';
import type { CampaignProblem } from './load.ts';

export const SAMPLE_UNSUBSCRIBE_URL = 'https://example.com/unsubscribe?token=sample';

/** A representative customer for previews and checks, in the given locale. */
export function sampleCustomer(locale: string): RenderCustomer {
  const zh = locale.startsWith('zh');
  return {
    customerId: 'sample-customer',
    email: 'sample@example.com',
    firstName: zh ? '小明' : 'Alex',
    lastName: zh ? '王' : 'Morgan',
    locale,
    timeZone: zh ? 'Asia/Shanghai' : 'America/New_York',
    attributes: {},
    // So a template that shows predictions renders in checks and previews.
    predictions: { pAlive: 0.42, churnRisk: 'high', predictedValue12mMilli: 86_500, expectedNextPurchaseAt: '2026-12-01T00:00:00.000Z' },
  };
}

/** The variables a template of this campaign is rendered with (sample + the step's own). */
export function sampleVariables(campaign: Campaign, template: string): Record<string, unknown> {
  const step = campaign.steps?.find((candidate) => candidate.template === template);
  return {
    ...campaign.templates.sample,
    ...(step ? { step: step.id, ...(step.offer ? { offer: step.offer } : {}) } : {}),
  };
}

export async function renderSample(
  renderer: TemplateRenderer,
  campaign: Campaign,
  template: string,
  locale: string,
  customer: RenderCustomer = sampleCustomer(locale),
  currency = 'USD',
): Promise<RenderedEmail> {
  return renderer.render({
    template,
    customer,
    unsubscribeUrl: SAMPLE_UNSUBSCRIBE_URL,
    variables: sampleVariables(campaign, template),
    timeZone: customer.timeZone ?? campaign.send.defaultTimeZone,
    currency,
  });
}

/** Problems with the campaign's templates; `line` points at the campaign file's templates entry. */
export async function checkCampaignTemplates(
  campaign: Campaign,
  file: string,
  templatesDir: string,
  lineOfField: (field: string) => number = () => 0,
): Promise<CampaignProblem[]> {
  const renderer = new TemplateRenderer(templatesDir);
  const problems: CampaignProblem[] = [];
  for (const template of campaignTemplates(campaign)) {
    const stepIndex = campaign.steps?.findIndex((step) => step.template === template) ?? -1;
    const field = stepIndex >= 0 ? `steps.${stepIndex}.template` : 'templates.name';
    for (const locale of campaign.templates.locales) {
      const folder = path.join(templatesDir, template, locale);
      if (!existsSync(path.join(folder, 'subject.liquid'))) {
        problems.push({
          file,
          line: lineOfField(field),
          field,
          message: `template ${template} has no ${locale} version (expected ${path.join(folder, 'subject.liquid')})`,
        });
        continue;
      }
      try {
        await renderSample(renderer, campaign, template, locale);
      } catch (error) {
        problems.push({
          file,
          line: lineOfField(field),
          field,
          message: `${locale}: ${(error as Error).message}`,
        });
      }
    }
  }
  return problems;
}
