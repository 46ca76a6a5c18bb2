// Loads the time-based campaigns' settings (campaigns/birthday.yaml, campaigns/win-back.yaml),
// validated with zod; an error names the file, the field and the offending value.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { type BirthdayConfig, birthdayConfigSchema } from '../domain/birthday.ts';
import { type WinBackConfig, winBackConfigSchema } from '../domain/win-back.ts';
import { describeRejection, rejectionsFromZod } from '../events/rejection.ts';

export interface TimerCampaigns {
  birthday: BirthdayConfig;
  winBack: WinBackConfig;
}

/** The repository's campaigns/ folder, used when CAMPAIGNS_DIR is not set. */
export const DEFAULT_CAMPAIGNS_DIR = path.resolve(import.meta.dirname, '../../campaigns');

export class CampaignConfigError extends Error {
  override name = 'CampaignConfigError';
}

async function loadFile<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>> {
  let input: unknown;
  try {
    input = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CampaignConfigError(`${file}: ${(error as Error).message}`);
  }
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (!result.success) {
    const problems = rejectionsFromZod(result.error, input).map(describeRejection);
    throw new CampaignConfigError(`${file}: ${problems.join('; ')}`);
  }
  return result.data;
}

export async function loadTimerCampaigns(campaignsDir: string | undefined): Promise<TimerCampaigns> {
  const dir = campaignsDir || DEFAULT_CAMPAIGNS_DIR;
  const [birthday, winBack] = await Promise.all([
    loadFile(path.join(dir, 'birthday.yaml'), birthdayConfigSchema),
    loadFile(path.join(dir, 'win-back.yaml'), winBackConfigSchema),
  ]);
  return { birthday, winBack };
}
