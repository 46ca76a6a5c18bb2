// One customer's run through one journey: where they are, since when, on which version, which
// split variant they drew, why they left, and a bounded history of the steps they took (what
// `campaigns explain` shows). Stored as ONE item per (customer, journey) on the customer's
// partition; every transition is a conditional write from the state it read (`stateVersion`).
import * as z from 'zod';
import { isoInstant } from '../events/contracts.ts';
import { conditionSchema } from './journey-conditions.ts';

export const EXIT_REASONS = [
  /** Reached `end` (or ran past the last step). */
  'completed',
  /** An `exitOn` event arrived. */
  'exit-event',
  /** The step the customer stood on is gone from the current version (follow-live edits). */
  'step-removed',
  /** The journey was disabled or unpublished while the customer was in it. */
  'disabled',
  /** Held out at entry (control group): recorded, never sent. */
  'held-out',
  /** The entry condition no longer held before a send (re-checked like a Klaviyo flow filter). */
  'left-audience',
] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export const HISTORY_KINDS = ['enter', 'wait', 'branch', 'split', 'send', 'exit'] as const;

/** One line of `explain`: a step taken, on which version, with what outcome and why. */
export const journeyStepRecordSchema = z.object({
  at: isoInstant,
  stepId: z.string(),
  kind: z.enum(HISTORY_KINDS),
  /** The journey version the step ran on. */
  version: z.number().int().positive(),
  /** e.g. entered, waiting, took case 2, variant b, enqueued, held-out, skipped, exited. */
  outcome: z.string(),
  /** Why: the branch condition's reason, the wait's due time, the skip reason … */
  detail: z.string().optional(),
});
export type JourneyStepRecord = z.infer<typeof journeyStepRecordSchema>;

/** History is bounded so the item stays small whatever the journey's loops do. */
export const HISTORY_LIMIT = 50;

export const journeyStateSchema = z.object({
  customerId: z.string().min(1),
  journeyId: z.string().min(1),
  /** Optimistic version of this item: every transition writes stateVersion + 1 if still at stateVersion. */
  stateVersion: z.number().int().nonnegative(),
  status: z.enum(['active', 'exited']),
  /** Stable id of the current (or last) entry, derived from the trigger (event id, changeId, due date). */
  entryId: z.string().min(1),
  enteredAt: isoInstant,
  /** Journey version current when the customer entered, and the one the latest step ran on. */
  entryVersion: z.number().int().positive(),
  version: z.number().int().positive(),
  /** The step the customer stands on (waiting at, or about to run); absent once exited. */
  currentStep: z.string().optional(),
  /**
   * When the run is next looked at: the end of its wait, or (a step in progress) now — so a run
   * whose function died half-way is still on the due index and the scheduler carries it on.
   */
  nextDueAt: isoInstant.optional(),
  /** The current wait step's end, set when the wait began. */
  waitUntil: isoInstant.optional(),
  /** When the step after the last wait became due (that wait's end); absent: since the entry. */
  dueSince: isoInstant.optional(),
  /** The split path taken (the split's goto), kept for every later send of this entry. */
  variant: z.string().optional(),
  exitReason: z.enum(EXIT_REASONS).optional(),
  exitedAt: isoInstant.optional(),
  /** How many times the customer has entered, and every entry id so far (bounded), for re-entry. */
  entries: z.number().int().positive(),
  recentEntryIds: z.array(z.string()).default([]),
  /** The trigger event's detail, for the template context of every later send of this entry. */
  triggerDetail: z.record(z.string(), z.unknown()).default({}),
  /** What the trigger requires to still hold at every send (e.g. the tier a Tier Changed reached). */
  stillHolds: conditionSchema.optional(),
  /** Times each step was reached in this entry: a send step reached again (a loop) is a new send. */
  stepVisits: z.record(z.string(), z.number().int().positive()).optional(),
  history: z.array(journeyStepRecordSchema).default([]),
});
export type JourneyState = z.infer<typeof journeyStateSchema>;

/** Appends to the history, dropping the oldest records beyond HISTORY_LIMIT. */
export function withHistory(
  history: readonly JourneyStepRecord[],
  record: JourneyStepRecord,
): JourneyStepRecord[] {
  return [...history, record].slice(-HISTORY_LIMIT);
}

/**
 * A send's outcome, one item per (customer, journey, entry, step): written by the engine when it
 * enqueues (or holds out) and updated by the sender with what actually happened. Deferred sends
 * stay visible as deferred until sent or skipped — never silently dropped.
 */
export const SEND_OUTCOMES = ['enqueued', 'sent', 'held-out', 'skipped', 'deferred'] as const;
export const journeySendOutcomeSchema = z.object({
  customerId: z.string().min(1),
  journeyId: z.string().min(1),
  entryId: z.string().min(1),
  stepId: z.string().min(1),
  version: z.number().int().positive(),
  variant: z.string().optional(),
  template: z.string().min(1),
  outcome: z.enum(SEND_OUTCOMES),
  /** consent, suppression, audience (condition no longer holds), cap, quiet-hours … with detail. */
  reason: z.string().optional(),
  at: isoInstant,
  /**
   * When the entry began (absent on outcomes written before it was kept). Every outcome of an
   * entry expires EMAIL_HISTORY_DAYS after its own write, so once that long has passed since the
   * entry began, its first email's outcome may be gone: the report leaves such entries out whole
   * rather than date them by a later email (shared/flows/analytics.ts).
   */
  enteredAt: isoInstant.optional(),
  /** Deferred: when the sender will try again. */
  notBefore: isoInstant.optional(),
});
export type JourneySendOutcome = z.infer<typeof journeySendOutcomeSchema>;
