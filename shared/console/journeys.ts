// The console's journey pages: the list, one journey as a diagram of its steps, its versions with
// their diff, and enable/disable/rollback. Everything goes through the journey catalogue and the
// same shared/journeys functions the CLI uses, so a change made here is the same version record.
import { DAY_MS } from '../domain/clock.ts';
import { END, type Journey, type JourneyStep, stepKind } from '../domain/journey.ts';
import { stepLinks } from '../domain/journey-checks.ts';
import { journeyTotals } from '../domain/step-results.ts';
import type { EventPublisher } from '../events/publisher.ts';
import { makesDateTriggerLive, requestArming } from '../journeys/arm-existing.ts';
import { diffVersions, rollbackJourney, setJourneyEnabled, type VersionDiff } from '../journeys/versions.ts';
import type { ArmingProgress, JourneyArmingStore } from '../store/journey-arming.ts';
import type { JourneyStepCounts } from '../store/journey-step-counts.ts';
import type { JourneyStepResults } from '../store/journey-step-results.ts';
import {
  type JourneyCatalogue,
  JourneyNotFoundError,
  type JourneyVersion,
  type PublishOutcome,
} from '../store/journeys.ts';

export interface JourneySummary {
  id: string;
  name: string;
  enabled: boolean;
  version: number;
  trigger: string;
  publishedAt: string;
  publishedBy: string;
  note: string;
  /** Emails sent in the last 7 days (today and the 6 before, UTC): its send steps' results added up. */
  sentLast7Days: number;
}

export interface DiagramStep {
  id: string;
  kind: 'wait' | 'branch' | 'split' | 'send';
  /** What the step does, in the file's own terms ("3 days", "template gold-nudge"). */
  detail: string;
  exits: { to: string; label?: string }[];
  atStepNow: number;
  passedThrough: number;
}

export interface JourneyView {
  current: JourneyVersion;
  trigger: string;
  steps: DiagramStep[];
  end: typeof END;
  /** The days whose arrivals `passedThrough` counts (YYYY-MM-DD, inclusive). */
  period: { from: string; to: string };
  /** The latest arming of a newly live date trigger for the stored customers, if any. */
  arming?: ArmingProgress;
}

/** What a publish, enable or rollback answers beside its outcome when it made a date trigger live. */
export interface ArmingRequested {
  arming?: { requested: true; version: number };
}

export class ConsoleJourneys {
  constructor(
    private readonly catalogue: JourneyCatalogue,
    private readonly results: Pick<JourneyStepResults, 'days'>,
    private readonly stepCounts: JourneyStepCounts,
    private readonly arming: { progress: JourneyArmingStore; events: EventPublisher },
  ) {}

  async list(now: Date): Promise<JourneySummary[]> {
    const from = new Date(now.getTime() - 6 * DAY_MS).toISOString().slice(0, 10);
    const today = now.toISOString().slice(0, 10);
    const journeys = await this.catalogue.list();
    return Promise.all(
      journeys.map(async (version) => {
        const sentLast7Days = journeyTotals(await this.results.days(version.journeyId, from, today)).sent;
        return {
          id: version.journeyId,
          name: version.journey.name,
          enabled: version.journey.enabled,
          version: version.version,
          trigger: describeTrigger(version.journey),
          publishedAt: version.publishedAt,
          publishedBy: version.publishedBy,
          note: version.note,
          sentLast7Days,
        };
      }),
    );
  }

  async view(journeyId: string, period: { from: string; to: string }): Promise<JourneyView> {
    const current = await this.current(journeyId);
    const [counts, arming] = await Promise.all([
      this.stepCounts.counts(journeyId, period.from, period.to),
      this.arming.progress.latest(journeyId),
    ]);
    const links = stepLinks(current.journey);
    const steps = current.journey.steps.map((step, index): DiagramStep => {
      const exits = links[index]?.exits ?? [];
      return {
        id: step.id,
        kind: stepKind(step),
        detail: describeStep(step),
        exits: exits.map((exit, k) => ({ to: exit.to, ...exitLabel(step, k) })),
        atStepNow: counts.atStepNow[step.id] ?? 0,
        passedThrough: counts.passedThrough[step.id] ?? 0,
      };
    });
    return { current, trigger: describeTrigger(current.journey), steps, end: END, period, ...(arming ? { arming } : {}) };
  }

  async versions(journeyId: string): Promise<Omit<JourneyVersion, 'templates' | 'journey' | 'source'>[]> {
    const versions = await this.catalogue.versions(journeyId);
    if (!versions.length) throw new JourneyNotFoundError(`journey ${journeyId} has never been published`);
    return versions
      .map(({ journeyId: id, version, publishedAt, publishedBy, note }) => ({ journeyId: id, version, publishedAt, publishedBy, note }))
      .reverse();
  }

  async diff(journeyId: string, from: number, to: number): Promise<VersionDiff> {
    const [a, b] = await Promise.all([this.catalogue.version(journeyId, from), this.catalogue.version(journeyId, to)]);
    if (!a) throw new JourneyNotFoundError(`journey ${journeyId} has no version ${from}`);
    if (!b) throw new JourneyNotFoundError(`journey ${journeyId} has no version ${to}`);
    return diffVersions(a, b);
  }

  setEnabled(journeyId: string, enabled: boolean, by: string, note: string) {
    return setJourneyEnabled(this.catalogue, journeyId, enabled, by, note);
  }

  rollback(journeyId: string, by: string, note: string, to?: number) {
    return rollbackJourney(this.catalogue, journeyId, by, to, note);
  }

  /**
   * After a publish, enable or rollback: when the version it made current runs a date trigger the
   * one before did not, asks the journey-arming function to arm it for the stored customers (one
   * event; the Scan runs there, a page per event, never on this request). The journey page shows
   * its progress. An unchanged outcome (the operator's retry after the request failed between the
   * publish and the announcement) asks again while that version has no arming recorded. Answers
   * the outcome, with `arming` when it was requested.
   */
  async armIfNewlyLive<O extends PublishOutcome>(
    journeyId: string,
    outcome: O,
    by: string,
    now: Date,
  ): Promise<O & ArmingRequested> {
    const before = outcome.kind === 'published' ? outcome.previous : outcome.version - 1;
    const [previous, current, armed] = await Promise.all([
      before ? this.catalogue.version(journeyId, before) : undefined,
      this.catalogue.version(journeyId, outcome.version),
      outcome.kind === 'unchanged' ? this.arming.progress.progress(journeyId, outcome.version) : undefined,
    ]);
    if (!current || armed || !makesDateTriggerLive(previous, current)) return outcome;
    await requestArming(this.arming.events, {
      journeyId,
      version: outcome.version,
      requestedAt: now.toISOString(),
      requestedBy: by,
    });
    return { ...outcome, arming: { requested: true, version: outcome.version } };
  }

  private async current(journeyId: string): Promise<JourneyVersion> {
    const current = await this.catalogue.current(journeyId);
    if (!current) throw new JourneyNotFoundError(`journey ${journeyId} has never been published`);
    return current;
  }
}

function describeTrigger(journey: Journey): string {
  const trigger = journey.trigger;
  return trigger.on === 'event' ? `event: ${trigger.event}` : trigger.on;
}

function describeStep(step: JourneyStep): string {
  if ('wait' in step) {
    const wait = step.wait;
    if ('days' in wait) return `${wait.days} d`;
    if ('hours' in wait) return `${wait.hours} h`;
    return `until ${String(wait.until.hour).padStart(2, '0')}:00`;
  }
  if ('branch' in step) return `${step.branch.length} cases`;
  if ('split' in step) return step.split.map((path) => `${path.percent}%`).join(' / ');
  return step.send.template;
}

function exitLabel(step: JourneyStep, k: number): { label?: string } {
  if ('split' in step) return { label: `${step.split[k]?.percent ?? 0}%` };
  if ('branch' in step) {
    const branchCase = step.branch[k];
    if (!branchCase) return { label: 'none matched' };
    return { label: branchCase.if ? Object.keys(branchCase.if).join(', ') : 'otherwise' };
  }
  return {};
}
