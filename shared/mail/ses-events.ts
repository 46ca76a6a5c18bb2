// SES event publishing through EventBridge: the configuration set's event destination puts each
// sending event on the account's DEFAULT bus as source "aws.ses" with these detail-types, the
// detail being the SES event record ({eventType, mail, bounce|complaint|delivery|open|click}).
// The builders make the same records locally, where SES local publishes nothing.
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { parseSendReference, SEND_REFERENCE_HEADER, type SendReference } from './send-headers.ts';

export const SES_SOURCE = 'aws.ses';

export const SES_DETAIL_TYPES = {
  send: 'Email Sent',
  delivery: 'Email Delivered',
  bounce: 'Email Bounced',
  complaint: 'Email Complaint Received',
  open: 'Email Opened',
  click: 'Email Clicked',
} as const;

const recipient = z.looseObject({ emailAddress: z.string() });

export const sesMail = z.looseObject({
  timestamp: z.string(),
  messageId: z.string().min(1),
  destination: z.array(z.string()).default([]),
  headers: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
  /** Configuration-set tags: name -> values (our EmailTags: campaign, step, tier). */
  tags: z.record(z.string(), z.array(z.string())).default({}),
});

export const sesEventRecord = z.looseObject({
  eventType: z.string(),
  mail: sesMail,
  bounce: z
    .looseObject({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: z.array(recipient),
      timestamp: z.string(),
      feedbackId: z.string().optional(),
    })
    .optional(),
  complaint: z
    .looseObject({
      complainedRecipients: z.array(recipient),
      timestamp: z.string(),
      feedbackId: z.string().optional(),
    })
    .optional(),
  delivery: z.looseObject({ timestamp: z.string() }).optional(),
  open: z.looseObject({ timestamp: z.string() }).optional(),
  click: z.looseObject({ timestamp: z.string(), link: z.string().optional() }).optional(),
});
export type SesEventRecord = z.infer<typeof sesEventRecord>;

/** What we know about a sent email: enough to build any of its SES events. */
export interface SentMail {
  messageId: string;
  to: string;
  headers?: { name: string; value: string }[];
  tags?: Record<string, string>;
  /** The configuration set the send named: SES adds it to the event's tags (`ses:configuration-set`). */
  configurationSet?: string;
  /** When SES accepted it (every event's `mail.timestamp`); unknown locally, then the event's time. */
  sentAt?: Date;
}

type SesEventKind = keyof typeof SES_DETAIL_TYPES;

const EVENT_TYPES: Record<SesEventKind, string> = {
  send: 'Send',
  delivery: 'Delivery',
  bounce: 'Bounce',
  complaint: 'Complaint',
  open: 'Open',
  click: 'Click',
};

/** An SES event as EventBridge would carry it: put it on the default bus with this source/detail-type. */
export function sesEvent(
  kind: SesEventKind,
  mail: SentMail,
  at: Date,
): { source: string; detailType: string; detail: SesEventRecord } {
  const timestamp = at.toISOString();
  const detail: SesEventRecord = {
    eventType: EVENT_TYPES[kind],
    mail: {
      timestamp: (mail.sentAt ?? at).toISOString(),
      messageId: mail.messageId,
      destination: [mail.to],
      headers: mail.headers ?? [],
      tags: Object.fromEntries(
        Object.entries({
          ...mail.tags,
          ...(mail.configurationSet ? { 'ses:configuration-set': mail.configurationSet } : {}),
        }).map(([name, value]) => [name, [value]]),
      ),
    },
  };
  const recipients = [{ emailAddress: mail.to }];
  if (kind === 'bounce') {
    detail.bounce = {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: recipients,
      timestamp,
      feedbackId: randomUUID(),
    };
  } else if (kind === 'complaint') {
    detail.complaint = { complainedRecipients: recipients, timestamp, feedbackId: randomUUID() };
  } else if (kind === 'delivery') {
    detail.delivery = { timestamp };
  } else if (kind === 'open') {
    detail.open = { timestamp };
  } else if (kind === 'click') {
    detail.click = { timestamp };
  }
  return { source: SES_SOURCE, detailType: SES_DETAIL_TYPES[kind], detail };
}

/** What an email's X-Loyalty-Send header names, when it carries a readable one. */
export function sendReferenceOf(mail: {
  headers?: { name: string; value: string }[] | undefined;
}): SendReference | undefined {
  const header = mailHeader(mail, SEND_REFERENCE_HEADER);
  return header ? parseSendReference(header) : undefined;
}

/** A header of the mail record, case-insensitively. */
export function mailHeader(
  mail: { headers?: { name: string; value: string }[] | undefined },
  name: string,
): string | undefined {
  return mail.headers?.find((header) => header.name.toLowerCase() === name.toLowerCase())?.value;
}

/** An email as SES local stores it (GET /store): enough to simulate its SES events. */
export interface SesLocalStoredEmail {
  messageId: string;
  destination: { to: string[] };
  headers?: { name: string; value: string }[];
}

/**
 * The SentMail behind a SES-local email. SES local keeps headers but not tags, so the campaign tag
 * is recovered from our send-reference header.
 */
export function sentMailFromSesLocal(
  email: SesLocalStoredEmail,
  configurationSet: string | undefined,
): SentMail {
  const headers = email.headers ?? [];
  const campaign = sendReferenceOf({ headers })?.ref.campaignId;
  return {
    messageId: email.messageId,
    to: email.destination.to[0] ?? '',
    headers,
    tags: campaign ? { campaign } : {},
    ...(configurationSet ? { configurationSet } : {}),
  };
}
