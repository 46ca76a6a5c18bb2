// The loyalty program as marketers configure it (campaigns/program.yaml): currency, the tier
// ladder by rolling-365-day net spend, points per currency unit, per-tier multipliers and
// benefits per locale, and the points expiry policy. Validation is pure; errors name file, field, value.
// Reading the text is shared/config's: program-file.ts reads the YAML (CLI, synth, local start),
// deployed-program.ts the JSON written from it (functions), so `yaml` (112 KB) stays out of them.
import * as z from 'zod';
import { describeRejection, type Rejection, rejectionsFromZod } from '../events/rejection.ts';
import { brandSchema } from './brand.ts';
import { controlGroupSchema } from './global-control-group.ts';
import { decimalPlaces, decimalToMilli, isKnownCurrency, type Milli } from './money.ts';
import { guardrailSettingsSchema } from './send-guardrails.ts';

const locale = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z][a-zA-Z]{1,3})?$/, { message: 'must be a locale such as en-US or zh-CN' });
const perLocale = <T extends z.ZodType>(value: T) => z.record(locale, value);

const decimalSpend = z
  .union([z.number(), z.string()])
  .refine((value) => decimalToMilli(value) !== undefined, {
    message: 'must be a non-negative decimal amount',
  })
  .transform((value) => decimalToMilli(value) ?? 0);

/** A multiplier with at most two decimals (1.25), kept as hundredths so points math stays integer. */
const multiplier = z
  .number()
  .positive({ message: 'must be greater than 0' })
  .max(100)
  .refine((value) => decimalPlaces(value) <= 2, { message: 'may have at most 2 decimal places' });

const tierSchema = z.strictObject({
  /** Stable id used in events, the ledger and analytics ("Gold"); never shown translated. */
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, { message: 'must be a word such as Gold' }),
  /** Rolling-365-day net spend, in program currency, from which the tier is reached. */
  minSpend: decimalSpend,
  multiplier,
  names: perLocale(z.string().min(1)),
  benefits: perLocale(z.array(z.string().min(1)).min(1)),
});

const programSchema = z
  .strictObject({
    currency: z.string().refine(isKnownCurrency, { message: 'must be an ISO 4217 currency code' }),
    defaultLocale: locale.default('en-US'),
    /** Points for each whole unit of net spend, before the tier multiplier (at most 3 decimals). */
    pointsPerUnit: z
      .number()
      .positive()
      .refine((value) => decimalPlaces(value) <= 3, { message: 'may have at most 3 decimal places' }),
    pointsExpiry: z.union([
      z.strictObject({ monthsAfterEarning: z.number().int().min(1).max(120) }),
      z.literal('never'),
    ]),
    /** How long a reached tier is held before it is re-evaluated (its anniversary). */
    tierHoldMonths: z.number().int().min(1).max(60).default(12),
    tiers: z.array(tierSchema).min(1),
    /** Per-journey circuit breaker and account brake (docs/guardrails.md). */
    guardrails: guardrailSettingsSchema,
    /** Customers who receive no marketing journey, to measure the programme against. */
    controlGroup: controlGroupSchema,
    /** Shop name, logo, web address, button colours and footer address of every email. */
    brand: brandSchema.optional(),
    /**
     * Anti-gaming: an occasion whose date changed this recently (a birthday moved to next week)
     * still gets its email, without the offer. 0 turns it off.
     */
    offerHold: z
      .strictObject({ dateChangedWithinDays: z.number().int().min(0).max(366).default(30) })
      .default({ dateChangedWithinDays: 30 }),
  })
  .superRefine((program, ctx) => {
    const issue = (path: (string | number)[], input: unknown, message: string) =>
      ctx.addIssue({ code: 'custom', path, input, message });
    if (program.tiers[0] && program.tiers[0].minSpend !== 0) {
      issue(
        ['tiers', 0, 'minSpend'],
        program.tiers[0].minSpend / 1000,
        'must be 0: the first tier is where everyone starts',
      );
    }
    const seen = new Set<string>();
    program.tiers.forEach((tier, index) => {
      if (seen.has(tier.id)) issue(['tiers', index, 'id'], tier.id, 'is used by two tiers');
      seen.add(tier.id);
      const previous = program.tiers[index - 1];
      if (previous && tier.minSpend <= previous.minSpend) {
        issue(
          ['tiers', index, 'minSpend'],
          tier.minSpend / 1000,
          `must be above the previous tier's (${previous.minSpend / 1000})`,
        );
      }
      for (const field of ['names', 'benefits'] as const) {
        if (!(program.defaultLocale in tier[field])) {
          issue(
            ['tiers', index, field],
            Object.keys(tier[field]),
            `must include the default locale ${program.defaultLocale}`,
          );
        }
      }
    });
  });

export type ProgramInput = z.input<typeof programSchema>;
type ParsedProgram = z.output<typeof programSchema>;
export type TierDefinition = ParsedProgram['tiers'][number] & {
  minSpend: Milli;
  rank: number;
  multiplierHundredths: number;
};
export interface LoyaltyProgram extends Omit<ParsedProgram, 'tiers'> {
  tiers: TierDefinition[];
  /** Points per unit in thousandths (integer). */
  pointsPerUnitMilli: number;
}

export class ProgramConfigError extends Error {
  constructor(
    readonly file: string,
    readonly rejections: Rejection[],
  ) {
    super(`${file}: ${rejections.map(describeRejection).join('; ')}`);
    this.name = 'ProgramConfigError';
  }
}

/** Validates a program object; `file` names the source in errors. */
export function parseProgram(input: unknown, file: string): LoyaltyProgram {
  const result = programSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    const rejections = rejectionsFromZod(result.error, input).map((rejection) =>
      rejection.reason === 'is not a field of this event'
        ? { ...rejection, reason: 'is not a program setting' }
        : rejection,
    );
    throw new ProgramConfigError(file, rejections);
  }
  const program = result.data;
  return {
    ...program,
    pointsPerUnitMilli: Math.round(program.pointsPerUnit * 1000),
    tiers: program.tiers.map((tier, rank) => ({
      ...tier,
      rank,
      multiplierHundredths: Math.round(tier.multiplier * 100),
    })),
  };
}

export function baseTier(program: Pick<LoyaltyProgram, 'tiers'>): TierDefinition {
  const first = program.tiers[0];
  if (!first) throw new Error('a program has at least one tier');
  return first;
}

export function tierById(program: Pick<LoyaltyProgram, 'tiers'>, id: string): TierDefinition | undefined {
  return program.tiers.find((tier) => tier.id === id);
}

/** The highest tier whose threshold the rolling spend reaches (a threshold counts as reached). */
export function tierForSpend(program: LoyaltyProgram, rollingSpendMilli: Milli): TierDefinition {
  let reached = baseTier(program);
  for (const tier of program.tiers) if (rollingSpendMilli >= tier.minSpend) reached = tier;
  return reached;
}

export function nextTierAbove(program: LoyaltyProgram, tier: TierDefinition): TierDefinition | undefined {
  return program.tiers[tier.rank + 1];
}

/** The best locale the program has for a customer: exact, then same language, then the default. */
export function programLocale(program: Pick<LoyaltyProgram, 'tiers' | 'defaultLocale'>, wanted: string | undefined): string {
  const available = Object.keys(baseTier(program).names);
  if (wanted && available.includes(wanted)) return wanted;
  const language = wanted?.split('-')[0];
  return available.find((candidate) => candidate.split('-')[0] === language) ?? program.defaultLocale;
}

export function tierName(program: Pick<LoyaltyProgram, 'defaultLocale'>, tier: TierDefinition, locale: string): string {
  return tier.names[locale] ?? tier.names[program.defaultLocale] ?? tier.id;
}

export function tierBenefits(program: LoyaltyProgram, tier: TierDefinition, locale: string): string[] {
  return tier.benefits[locale] ?? tier.benefits[program.defaultLocale] ?? [];
}
