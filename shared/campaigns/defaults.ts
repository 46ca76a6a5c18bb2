// The shipped campaign files are the defaults: published as version 1 of each campaign that has
// never been published (first start of the local runtime, or `loyalty campaigns publish` after a
// deploy). A campaign a marketer has already published is left alone.
import type { CampaignCatalogue } from '../store/campaigns.ts';
import { campaignFiles, describeProblem } from './load.ts';
import { validateCampaignFiles } from './validate.ts';

export interface DefaultsOutcome {
  published: string[];
  alreadyPublished: string[];
  problems: string[];
}

export async function publishDefaultCampaigns(
  catalogue: CampaignCatalogue,
  campaignsDir: string,
): Promise<DefaultsOutcome> {
  const report = await validateCampaignFiles(await campaignFiles(campaignsDir));
  const outcome: DefaultsOutcome = {
    published: [],
    alreadyPublished: [],
    problems: report.problems.map(describeProblem),
  };
  for (const { campaign, source } of report.campaigns) {
    if (await catalogue.current(campaign.id)) {
      outcome.alreadyPublished.push(campaign.id);
      continue;
    }
    const result = await catalogue
      .publish({ definition: campaign, source, by: 'defaults', note: 'shipped default', expectedVersion: 0 })
      .catch((error: Error) => {
        // Another process published it first: that is the outcome we wanted.
        if (error.name === 'PublishConflictError') return undefined;
        throw error;
      });
    if (result?.kind === 'published') outcome.published.push(campaign.id);
    else outcome.alreadyPublished.push(campaign.id);
  }
  return outcome;
}
