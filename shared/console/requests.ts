// The console API's one boundary schema: every request is a POST whose JSON body names its
// operation (`op`), so customer ids and addresses travel in bodies, never in URLs or access logs.
import * as z from 'zod';
import { conditionSchema } from '../domain/journey-conditions.ts';
import { templatePartsSchema } from '../store/journeys.ts';

const journeyId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'must be a journey id such as gold-nudge' });
/** Every change asks why: the note goes into the version record (or the audit record) as typed. */
const note = z.string().trim().min(3, { message: 'must say why (at least 3 characters)' }).max(500);
const locale = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, { message: 'must be a locale such as en-US or zh-CN' });
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date such as 2027-01-31' });

/** Template names and locales become folder names when a draft is validated: no path tricks. */
const templateName = z.string().regex(/^[\w-]{1,64}$/, { message: 'must be a template folder name such as gold-nudge' });

/** What the editor holds: the journey file's text and its templates, edited in the browser. */
const draft = {
  source: z.string().max(100_000),
  templates: z.record(templateName, z.record(locale, templatePartsSchema)),
};

export const consoleRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('session') }),
  z.strictObject({ op: z.literal('journeys.list') }),
  z.strictObject({ op: z.literal('journey.get'), journeyId, from: day.optional(), to: day.optional() }),
  z.strictObject({ op: z.literal('journey.versions'), journeyId }),
  z.strictObject({
    op: z.literal('journey.diff'),
    journeyId,
    from: z.number().int().positive(),
    to: z.number().int().positive(),
  }),
  z.strictObject({ op: z.literal('journey.enable'), journeyId, enabled: z.boolean(), note }),
  z.strictObject({ op: z.literal('journey.rollback'), journeyId, to: z.number().int().positive().optional(), note }),
  z.strictObject({ op: z.literal('draft.validate'), ...draft }),
  z.strictObject({
    op: z.literal('draft.preview'),
    ...draft,
    template: templateName,
    locale,
    customerId: z.string().min(1).max(200).optional(),
  }),
  z.strictObject({
    op: z.literal('draft.test-send'),
    ...draft,
    template: templateName,
    locale,
    to: z.email({ message: 'must be an email address' }),
  }),
  z.strictObject({ op: z.literal('draft.publish'), ...draft, note, expectedVersion: z.number().int().min(0) }),
  z.strictObject({ op: z.literal('draft.patch'), journeyId, ...draft }),
  z.strictObject({ op: z.literal('audience.estimate'), where: conditionSchema }),
  z.strictObject({ op: z.literal('customer.find'), query: z.string().trim().min(1).max(320) }),
  z.strictObject({ op: z.literal('customer.resubscribe'), customerId: z.string().min(1).max(200), note }),
  /** A period the weekly run stored ("last-30-days", "month-2027-02"); none: the last 30 days. */
  z.strictObject({
    op: z.literal('results.report'),
    period: z.string().regex(/^(last-\d+-days|month-\d{4}-\d{2})$/, { message: 'must be a stored period such as last-30-days or month-2027-02' }).optional(),
  }),
]);
export type ConsoleRequest = z.infer<typeof consoleRequestSchema>;
export type ConsoleOp = ConsoleRequest['op'];

/** Who is asking: the signed-in user (Cognito claims) or "local" on a laptop. */
export interface ConsoleUser {
  id: string;
  email?: string | undefined;
}
