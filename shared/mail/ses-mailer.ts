// The SES v2 adapter: one SendEmail per email, with the configuration set (event destinations),
// tags for attribution and the RFC 8058 one-click unsubscribe headers. Throttling and 5xx are
// retried with exponential backoff and full jitter; what is left after the budget is thrown.
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';

export interface OutgoingEmail {
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  configurationSet: string | undefined;
  tags: Record<string, string>;
  headers: { name: string; value: string }[];
}

export interface Mailer {
  /** Returns the SES message id; throws a SesSendError when SES did not take the email. */
  send(email: OutgoingEmail): Promise<string>;
}

/**
 * Why a send failed. `definitelyNotSent` means SES refused the request (throttling, validation,
 * 5xx before acceptance): the ledger claim can be released. A network error or timeout may hide
 * an accepted email, so its claim stays pending for the lease/evidence rule.
 */
export class SesSendError extends Error {
  override name = 'SesSendError';
  constructor(
    message: string,
    readonly kind: 'throttled' | 'server' | 'rejected' | 'unknown',
    readonly definitelyNotSent: boolean,
    readonly attempts: number,
  ) {
    super(message);
  }
}

const THROTTLING = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'Throttling',
  'ThrottlingException',
]);

export function classifySesError(error: unknown): SesSendError['kind'] {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  if (THROTTLING.has(e?.name ?? '') || status === 429) return 'throttled';
  if (status !== undefined && status >= 500) return 'server';
  if (status !== undefined && status >= 400) return 'rejected';
  return 'unknown';
}

/** SES tag values allow letters, digits, '_' and '-' only (256 max). */
export function tagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256) || '_';
}

export interface RetryPolicy {
  /** Attempts per email within one invocation before the message goes back to the queue. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep(ms: number): Promise<void>;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 5000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class SesMailer implements Mailer {
  /** Throttling responses seen (for the bench and metrics). */
  throttled = 0;

  constructor(
    private readonly ses: SESv2Client,
    private readonly retry: RetryPolicy = defaultRetryPolicy,
  ) {}

  async send(email: OutgoingEmail): Promise<string> {
    const command = new SendEmailCommand({
      FromEmailAddress: email.from,
      Destination: { ToAddresses: [email.to] },
      ConfigurationSetName: email.configurationSet,
      EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
      Content: {
        Simple: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: {
            Html: { Data: email.html, Charset: 'UTF-8' },
            Text: { Data: email.text, Charset: 'UTF-8' },
          },
          Headers: email.headers.map(({ name, value }) => ({ Name: name, Value: value })),
        },
      },
    });
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.ses.send(command);
        if (!result.MessageId) throw new SesSendError('SES returned no MessageId', 'unknown', false, attempt);
        return result.MessageId;
      } catch (error) {
        if (error instanceof SesSendError) throw error;
        const kind = classifySesError(error);
        if (kind === 'throttled') this.throttled++;
        const retryable = kind === 'throttled' || kind === 'server';
        if (!retryable || attempt >= this.retry.maxAttempts) {
          throw new SesSendError(
            `SES send failed after ${attempt} attempt(s): ${(error as Error).name}: ${(error as Error).message}`,
            kind,
            kind !== 'unknown',
            attempt,
          );
        }
        const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        await this.retry.sleep(Math.random() * cap);
      }
    }
  }
}
