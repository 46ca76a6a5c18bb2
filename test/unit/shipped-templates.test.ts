// Every shipped template, in every locale it promises, greets a customer whose first name is
// empty or blank exactly as one who has none ("Hi there,", "您好！"), never "Hi ," or ", you're".
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSample, sampleCustomer } from '#shared/campaigns/check-templates.ts';
import { campaignFiles, loadCampaignFile } from '#shared/campaigns/load.ts';
import { campaignTemplates } from '#shared/domain/campaign.ts';
import { TemplateRenderer } from '#shared/mail/render.ts';

const CAMPAIGNS = path.resolve(import.meta.dirname, '../../campaigns');
const renderer = new TemplateRenderer(path.join(CAMPAIGNS, 'templates'));

describe('shipped templates', () => {
  it('render a blank first name like a missing one, in every template and locale', async () => {
    let rendered = 0;
    for (const file of await campaignFiles(CAMPAIGNS)) {
      const campaign = await loadCampaignFile(file);
      for (const template of campaignTemplates(campaign)) {
        for (const locale of campaign.templates.locales) {
          const as = (firstName: string | undefined) =>
            renderSample(renderer, campaign, template, locale, { ...sampleCustomer(locale), firstName });
          const none = await as(undefined);
          for (const blank of ['', '   ']) {
            expect(await as(blank), `${template} ${locale} ${JSON.stringify(blank)}`).toEqual(none);
          }
          expect(none.subject).not.toMatch(/^[,，\s]|\s,|，\s*，/);
          rendered++;
        }
      }
    }
    expect(rendered).toBeGreaterThanOrEqual(10);
  });
});
