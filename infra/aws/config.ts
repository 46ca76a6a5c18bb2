// Deploy-time settings, read from CDK context (`-c key=value` or cdk.json) and validated once,
// so a typo in a deploy command fails synth with the key and value instead of deploying nonsense.
import type { Node } from 'constructs';
import * as z from 'zod';
import { DEFAULT_BUS_NAME } from '#infra/wiring.ts';
import { EMAIL_HISTORY_DEFAULT_DAYS, emailHistoryDays } from '#shared/domain/email-history.ts';
import { headerBudgetOverrun, SES_HEADER_VALUE_MAX } from '#shared/mail/send-headers.ts';

/** No Function URL is longer: https://<32-character id>.lambda-url.<region>.on.aws/, 20 characters of region. */
const LONGEST_FUNCTION_URL = `https://${'x'.repeat(32)}.lambda-url.${'x'.repeat(20)}.on.aws/`;

/** `-c deletionProtection=false` arrives as a string; cdk.json may hold a real boolean. */
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')], {
  error: 'must be true or false',
});

const contextShape = z.object({
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,20}$/, 'lower-case letters, digits and dashes')
    .default('dev'),
  busName: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,256}$/)
    .default(DEFAULT_BUS_NAME),
  deletionProtection: flag.default(true),
  /** The From address of every marketing email, and the display name shown with it. */
  senderAddress: z.email().default('marketing@example.com'),
  senderName: z
    .string()
    .min(1)
    .max(64)
    // Quoted or MIME-encoded into the From header (shared/mail/from-address.ts); control characters cannot be.
    .regex(/^\P{Cc}+$/u, 'no control characters or line breaks')
    .optional(),
  /** Emails per second across all senders: your SES account's maximum send rate. */
  maxSendRate: z.coerce.number().positive().max(10_000).optional(),
  /** Days each email's ledger entry, send outcome, holdout, coupon (after its expiry) and unsubscribe count are kept. */
  emailHistoryDays: emailHistoryDays.default(EMAIL_HISTORY_DEFAULT_DAYS),
  /** mailto: target of the List-Unsubscribe header, beside the one-click URL. */
  unsubscribeMailto: z
    .email()
    .refine(
      (mailto) => headerBudgetOverrun({ url: LONGEST_FUNCTION_URL, mailto }) === 0,
      {
        message: `is too long: beside the unsubscribe link of the longest customer id, List-Unsubscribe would pass SES's ${SES_HEADER_VALUE_MAX} characters`,
      },
    )
    .optional(),
  /** The verified SES identity the sender uses: a domain (default: the sender address's) or the address. */
  sesIdentity: z.string().min(3).optional(),
  /** Optional e-mail subscription to the alarm topic (confirm the SNS mail after deploying). */
  alarmEmail: z.email().optional(),
  /** Prefix of the console's Cognito sign-in domain (<prefix>.auth.<region>.amazoncognito.com); unique per region. */
  consoleDomainPrefix: z
    .string()
    .regex(
      /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
      'lower-case letters, digits and inner dashes (Cognito domain prefix)',
    )
    .refine((prefix) => !/aws|amazon|cognito/.test(prefix), 'must not contain aws, amazon or cognito')
    .optional(),
  /** Active X-Ray tracing on every function (one trace from the rule through SQS to DynamoDB). */
  tracing: flag.default(true),
  /** Ship index.mjs.map in each function and run with --enable-source-maps (off: no map read at cold start). */
  sourceMaps: flag.default(false),
});

const context = contextShape.transform((c) => ({
  ...c,
  sesIdentity: c.sesIdentity ?? c.senderAddress.split('@')[1] ?? c.senderAddress,
}));

/** Every context key the stack reads (each `-c key=value` in docs/operations.md). */
export const CONTEXT_KEYS = Object.keys(contextShape.shape);

export type DeployConfig = z.output<typeof context>;

/** Reads and validates the deploy context of an app (or any construct's node). */
export function deployConfigFrom(node: Node): DeployConfig {
  const raw = Object.fromEntries(
    CONTEXT_KEYS.map((key) => [key, node.tryGetContext(key) ?? undefined] as const).filter(
      ([, v]) => v !== undefined,
    ),
  );
  const parsed = context.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `-c ${i.path.join('.')}=${JSON.stringify(raw[String(i.path[0])])}: ${i.message}`,
    );
    throw new Error(`invalid deploy context:\n  ${issues.join('\n  ')}`);
  }
  return parsed.data;
}
