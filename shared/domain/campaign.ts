// A campaign as marketers write it (campaigns/<id>.yaml): what triggers it, who is in the
// audience, when and how it may send, the offer, the holdout share and the templates per locale.
// One schema, so the CLI, the publisher and the running system agree on what a campaign is.
import { ianaTimeZone } from '../events/contracts.ts';
import * as z from 'zod';

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'must be lower-case letters, digits and dashes' });
const templateName = z
  .string()
  .regex(/^[\w-]+$/, { message: 'must be a folder name under campaigns/templates/' });
const locale = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, { message: 'must be a locale such as en-US or zh-CN' });
/** Amounts as decimal text in the program currency ("10.00"), never floats. */
export const moneyText = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .refine((value) => /^\d+(\.\d{1,3})?$/.test(value), { message: 'must be an amount such as "10.00"' });
const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be a time of day such as "21:00"' });
const timeZone = ianaTimeZone;

/** What makes a customer due: an event on the bus, or a per-customer timer. */
export const campaignTriggerSchema = z.discriminatedUnion('on', [
  z.strictObject({
    on: z.literal('event'),
    event: z.enum(['Tier Changed', 'Purchase Completed', 'Customer Upserted']),
    /** `Tier Changed` only: up (upgrades) or down. */
    direction: z.enum(['up', 'down']).optional(),
  }),
  z.strictObject({
    on: z.literal('birthday'),
    /** Where Feb 29 birthdays are celebrated in common years. */
    leapDayIn: z.enum(['feb-28', 'mar-01']).default('feb-28'),
  }),
  /** Steps (`steps[].afterDays`) after the last purchase; a new purchase restarts the series. */
  z.strictObject({ on: z.literal('days-since-last-purchase') }),
  z.strictObject({ on: z.literal('days-since-signup'), days: z.number().int().positive() }),
  z.strictObject({ on: z.literal('first-purchase-anniversary') }),
]);
export type CampaignTrigger = z.output<typeof campaignTriggerSchema>;
export const TIMER_TRIGGERS = [
  'birthday',
  'days-since-last-purchase',
  'days-since-signup',
  'first-purchase-anniversary',
] as const;

/** Who may receive it; every listed condition must hold (an empty audience is everyone). */
export const audienceSchema = z.strictObject({
  tiers: z.array(z.string().min(1)).min(1).optional(),
  lifecycleStages: z.array(z.string().min(1)).min(1).optional(),
  segments: z.array(z.string().min(1)).min(1).optional(),
  locales: z.array(locale).min(1).optional(),
  minSpend: moneyText.optional(),
  maxSpend: moneyText.optional(),
  minOrders: z.number().int().min(0).optional(),
  maxOrders: z.number().int().min(0).optional(),
  /** Customer attributes that must equal these values. */
  attributes: z.record(z.string(), z.string()).optional(),
});
export type Audience = z.output<typeof audienceSchema>;

export const sendRulesSchema = z.strictObject({
  /** Local hour of day the send is due, in the customer's time zone. */
  hour: z.number().int().min(0).max(23).default(9),
  /** Zone for customers whose profile has none. */
  defaultTimeZone: timeZone.default('America/New_York'),
  quietHours: z.strictObject({ from: hhmm, to: hhmm }).optional(),
  /** The frequency cap counts `marketing`; `tier-upgrade` may be exempt (sender config). */
  capClass: z.enum(['marketing', 'tier-upgrade']).default('marketing'),
  /** 1 (highest) .. 9; when the cap allows one more email, the higher priority goes first. */
  priority: z.number().int().min(1).max(9).default(5),
});

export const offerSchema = z
  .strictObject({
    kind: z.enum(['amount-off', 'percent-off', 'free-shipping', 'none']),
    /** Unique code per customer and period with this prefix ... */
    codePrefix: z
      .string()
      .regex(/^[A-Z0-9]{1,8}$/, { message: 'must be 1-8 upper-case letters or digits' })
      .optional(),
    /** ... or one shared code. */
    code: z.string().min(1).optional(),
    valueByTier: z.record(z.string().min(1), moneyText).optional(),
    defaultTier: z.string().min(1).default('Bronze'),
    percentOff: z.number().int().min(1).max(100).optional(),
    freeShipping: z.boolean().default(false),
    expiresAfterDays: z.number().int().positive().default(30),
  })
  .superRefine((offer, ctx) => {
    if (offer.kind === 'amount-off' && !offer.valueByTier) {
      ctx.addIssue({ code: 'custom', path: ['valueByTier'], message: 'is required when kind is amount-off' });
    }
    if (offer.kind === 'amount-off' && offer.valueByTier && !(offer.defaultTier in offer.valueByTier)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultTier'],
        message: `must be one of valueByTier's tiers (${Object.keys(offer.valueByTier).join(', ')})`,
      });
    }
    if (offer.kind === 'percent-off' && offer.percentOff === undefined) {
      ctx.addIssue({ code: 'custom', path: ['percentOff'], message: 'is required when kind is percent-off' });
    }
    if (offer.code && offer.codePrefix) {
      ctx.addIssue({ code: 'custom', path: ['code'], message: 'give either code or codePrefix, not both' });
    }
  });
export type Offer = z.output<typeof offerSchema>;

const stepSchema = z.strictObject({
  id: slug,
  afterDays: z.number().int().positive(),
  template: templateName,
  offer: offerSchema.optional(),
});

export const campaignSchema = z
  .strictObject({
    id: slug,
    name: z.string().min(1),
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    trigger: campaignTriggerSchema,
    audience: audienceSchema.default({}),
    send: sendRulesSchema.default({
      hour: 9,
      defaultTimeZone: 'America/New_York',
      capClass: 'marketing',
      priority: 5,
    }),
    offer: offerSchema.optional(),
    /** Percent of the audience held out (recorded, not sent) to measure uplift. */
    holdoutPercent: z.number().min(0).max(50).default(0),
    templates: z.strictObject({
      /** Folder under campaigns/templates/ (single-step campaigns). */
      name: templateName.optional(),
      /** Locales that must exist; others fall back to en-US. */
      locales: z.array(locale).min(1).default(['en-US']),
      /** Representative campaign variables, rendered at validate/publish time with strict variables. */
      sample: z.record(z.string(), z.unknown()).default({}),
    }),
    /** Multi-step series (days-since-last-purchase): each step its own template and offer. */
    steps: z.array(stepSchema).min(1).optional(),
  })
  .superRefine((campaign, ctx) => {
    if (campaign.trigger.on === 'days-since-last-purchase' && !campaign.steps) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps'],
        message: 'is required for trigger days-since-last-purchase',
      });
    }
    if (!campaign.steps && !campaign.templates.name) {
      ctx.addIssue({
        code: 'custom',
        path: ['templates', 'name'],
        message: 'is required (or give steps with a template each)',
      });
    }
    if (!campaign.templates.locales.includes('en-US')) {
      ctx.addIssue({
        code: 'custom',
        path: ['templates', 'locales'],
        message: 'must include en-US, the fallback locale',
      });
    }
    const ids = new Set<string>();
    for (const [index, step] of (campaign.steps ?? []).entries()) {
      if (ids.has(step.id))
        ctx.addIssue({ code: 'custom', path: ['steps', index, 'id'], message: `duplicates step ${step.id}` });
      ids.add(step.id);
      const before = campaign.steps?.[index - 1];
      if (before && before.afterDays >= step.afterDays) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index, 'afterDays'],
          message: `must be later than the previous step (${before.afterDays})`,
        });
      }
    }
    const { minSpend, maxSpend } = campaign.audience;
    if (minSpend !== undefined && maxSpend !== undefined && Number(minSpend) > Number(maxSpend)) {
      ctx.addIssue({
        code: 'custom',
        path: ['audience', 'maxSpend'],
        message: `must not be below minSpend (${minSpend})`,
      });
    }
  });
export type Campaign = z.output<typeof campaignSchema>;
export type CampaignInput = z.input<typeof campaignSchema>;

/** Every template folder the campaign renders (one, or one per step). */
export function campaignTemplates(campaign: Campaign): string[] {
  const names = campaign.steps ? campaign.steps.map((step) => step.template) : [];
  if (campaign.templates.name) names.unshift(campaign.templates.name);
  return [...new Set(names)];
}

export function isTimerCampaign(campaign: Campaign): boolean {
  return (TIMER_TRIGGERS as readonly string[]).includes(campaign.trigger.on);
}
