// Everything `loyalty campaigns validate` and `publish` check: the file (schema, with lines),
// its templates (rendered strictly in every locale) and that ids are unique across files.
import path from 'node:path';
import { checkCampaignTemplates } from './check-templates.ts';
import { type CampaignProblem, fieldLocator, type LoadedCampaign, loadCampaignFiles } from './load.ts';

export interface ValidationReport {
  campaigns: LoadedCampaign[];
  problems: CampaignProblem[];
}

/** The templates folder that belongs to a campaign file: <its folder>/templates. */
export function templatesDirFor(file: string): string {
  return path.join(path.dirname(file), 'templates');
}

export async function validateCampaignFiles(
  files: string[],
  templatesDir?: string,
): Promise<ValidationReport> {
  const { campaigns, problems } = await loadCampaignFiles(files);
  const seen = new Map<string, string>();
  const valid: LoadedCampaign[] = [];
  for (const loaded of campaigns) {
    const locate = fieldLocator(loaded.source);
    const first = seen.get(loaded.campaign.id);
    if (first) {
      problems.push({
        file: loaded.file,
        line: locate('id'),
        field: 'id',
        message: `${loaded.campaign.id} is already defined in ${first}`,
      });
      continue;
    }
    seen.set(loaded.campaign.id, loaded.file);
    const templateProblems = await checkCampaignTemplates(
      loaded.campaign,
      loaded.file,
      templatesDir ?? templatesDirFor(loaded.file),
      locate,
    );
    problems.push(...templateProblems);
    if (!templateProblems.length) valid.push(loaded);
  }
  return { campaigns: valid, problems };
}
