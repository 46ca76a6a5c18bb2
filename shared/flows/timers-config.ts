// Reads the birthday and win-back campaign files (campaigns/birthday.yaml, campaigns/win-back.yaml,
// the same campaign-file format the campaign CLI validates) into the settings the timers need.
// An error names the file, the field and the offending value.
import { ianaTimeZone } from '../events/contracts.ts';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import * as z from 'zod';
import type { BirthdayConfig } from '../domain/birthday.ts';
import { decimalToMilli } from '../domain/money.ts';
import type { WinBackConfig } from '../domain/win-back.ts';
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

const zone = ianaTimeZone;
const amount = z
  .union([z.string(), z.number()])
  .refine((value) => decimalToMilli(value) !== undefined, { message: 'must be an amount such as "10.00"' })
  .transform((value) => decimalToMilli(value) ?? 0);

// Only the fields the timers act on; the rest of the campaign file is the campaign CLI's business.
const send = z.looseObject({
  hour: z.number().int().min(0).max(23).default(9),
  defaultTimeZone: zone.default('America/New_York'),
});

const birthdayFile = z.looseObject({
  id: z.string().min(1),
  enabled: z.boolean().default(true),
  trigger: z.looseObject({
    on: z.literal('birthday'),
    leapDayIn: z.enum(['feb-28', 'mar-01']).default('feb-28'),
  }),
  send: send.prefault({}),
  offer: z
    .looseObject({
      codePrefix: z
        .string()
        .regex(/^[A-Z0-9]{1,8}$/, { message: 'must be 1-8 upper-case letters or digits' }),
      valueByTier: z.record(z.string().min(1), amount),
      defaultTier: z.string().min(1).default('Bronze'),
      expiresAfterDays: z.number().int().positive().default(30),
    })
    .refine((offer) => offer.defaultTier in offer.valueByTier, {
      message: 'defaultTier must be one of the tiers in valueByTier',
      path: ['defaultTier'],
    }),
  templates: z.looseObject({ name: z.string().min(1) }),
});

const winBackFile = z.looseObject({
  id: z.string().min(1),
  enabled: z.boolean().default(true),
  trigger: z.looseObject({ on: z.literal('days-since-last-purchase') }),
  send: send.prefault({}),
  steps: z
    .array(
      z.looseObject({
        id: z.string().regex(/^[a-z0-9-]+$/, { message: 'must be lower-case letters, digits and dashes' }),
        afterDays: z.number().int().positive(),
        template: z.string().min(1),
        offer: z.record(z.string(), z.unknown()).default({}),
      }),
    )
    .min(1)
    .refine((steps) => steps.every((step, i) => i === 0 || step.afterDays > (steps[i - 1]?.afterDays ?? 0)), {
      message: 'steps must be in increasing afterDays order',
    }),
});

async function loadFile<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>> {
  let input: unknown;
  try {
    input = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CampaignConfigError(`${file}: ${(error as Error).message}`);
  }
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (!result.success) {
    throw new CampaignConfigError(
      `${file}: ${rejectionsFromZod(result.error, input).map(describeRejection).join('; ')}`,
    );
  }
  return result.data;
}

export async function loadTimerCampaigns(campaignsDir: string | undefined): Promise<TimerCampaigns> {
  const dir = campaignsDir || DEFAULT_CAMPAIGNS_DIR;
  const [birthday, winBack] = await Promise.all([
    loadFile(path.join(dir, 'birthday.yaml'), birthdayFile),
    loadFile(path.join(dir, 'win-back.yaml'), winBackFile),
  ]);
  return {
    birthday: {
      campaign: birthday.id,
      enabled: birthday.enabled,
      sendHour: birthday.send.hour,
      defaultTimeZone: birthday.send.defaultTimeZone,
      leapDayIn: birthday.trigger.leapDayIn,
      template: birthday.templates.name,
      coupon: {
        prefix: birthday.offer.codePrefix,
        expiresAfterDays: birthday.offer.expiresAfterDays,
        valueByTier: birthday.offer.valueByTier,
        defaultTier: birthday.offer.defaultTier,
      },
    },
    winBack: {
      campaign: winBack.id,
      enabled: winBack.enabled,
      sendHour: winBack.send.hour,
      defaultTimeZone: winBack.send.defaultTimeZone,
      steps: winBack.steps.map(({ id, afterDays, template, offer }) => ({ id, afterDays, template, offer })),
    },
  };
}
