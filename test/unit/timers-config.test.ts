import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGNS_DIR, loadTimerCampaigns } from '#shared/flows/timers-config.ts';

async function campaignsWith(birthdayYaml: (shipped: string) => string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'timer-campaigns-'));
  const shipped = await readFile(path.join(DEFAULT_CAMPAIGNS_DIR, 'birthday.yaml'), 'utf8');
  await writeFile(path.join(dir, 'birthday.yaml'), birthdayYaml(shipped));
  await copyFile(path.join(DEFAULT_CAMPAIGNS_DIR, 'win-back.yaml'), path.join(dir, 'win-back.yaml'));
  return dir;
}

describe('time-based campaign settings', () => {
  it('reads the shipped birthday and win-back files', async () => {
    const { birthday, winBack } = await loadTimerCampaigns(undefined);
    expect(birthday).toMatchObject({
      campaign: 'birthday',
      sendHour: 9,
      leapDayIn: 'feb-28',
      template: 'birthday',
      coupon: { prefix: 'BDAY', expiresAfterDays: 30, defaultTier: 'Bronze' },
    });
    expect(birthday.coupon.valueByTier.Gold).toBe(20_000);
    expect(winBack.steps.map((step) => [step.id, step.afterDays, step.template])).toEqual([
      ['day-60', 60, 'win-back-60'],
      ['day-90', 90, 'win-back-90'],
      ['day-120', 120, 'win-back-120'],
    ]);
  });

  it('names the file, the field and the value of a bad setting', async () => {
    const dir = await campaignsWith((yaml) => yaml.replace('Gold: "20.00"', 'Gold: "lots"'));
    await expect(loadTimerCampaigns(dir)).rejects.toThrow(
      `${path.join(dir, 'birthday.yaml')}: offer.valueByTier.Gold: "lots" must be an amount such as "10.00"`,
    );
  });

  it('refuses a time zone that does not exist, and accepts non-canonical IANA names', async () => {
    const bad = await campaignsWith((yaml) =>
      yaml.replace('defaultTimeZone: America/New_York', 'defaultTimeZone: Mars/Olympus'),
    );
    await expect(loadTimerCampaigns(bad)).rejects.toThrow(
      'send.defaultTimeZone: "Mars/Olympus" must be an IANA time zone',
    );
    const kolkata = await campaignsWith((yaml) =>
      yaml.replace('defaultTimeZone: America/New_York', 'defaultTimeZone: Asia/Kolkata'),
    );
    expect((await loadTimerCampaigns(kolkata)).birthday.defaultTimeZone).toBe('Asia/Kolkata');
  });
});
