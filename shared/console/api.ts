// The console API: one request (validated by consoleRequestSchema) -> one call into shared/ -> a
// JSON answer. The browser app and the Lambda handler know nothing else; errors become answers
// that name the field and value (400), what was missing (404) or what changed meanwhile (409).
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Clock, DAY_MS } from '../domain/clock.ts';
import { estimateAudience } from '../domain/audience-estimate.ts';
import { SAMPLE_PER_NAME, sampleAudience } from '../flows/audience-sample.ts';
import { journeyVocabulary } from '../domain/journey-vocabulary.ts';
import { deployedProgram } from '../config/deployed-program.ts';
import { customerFactsReader } from '../journeys/customer-facts.ts';
import type { EventPublisher } from '../events/publisher.ts';
import { JourneyArmingStore } from '../store/journey-arming.ts';
import { JourneyCatalogue, JourneyNotFoundError, JourneyPublishConflictError } from '../store/journeys.ts';
import { SegmentStore } from '../store/segments.ts';
import { JourneyStepCounts } from '../store/journey-step-counts.ts';
import { JourneyStepResults } from '../store/journey-step-results.ts';
import { StoredReports } from '../store/stored-reports.ts';
import { CustomerCards, CustomerNotFoundError } from '../flows/customer-card.ts';
import { readStoredReport } from '../flows/stored-report.ts';
import { DraftRejectedError, JourneyEditor } from './editor.ts';
import { ConsoleJourneys } from './journeys.ts';
import { type ConsoleRequest, type ConsoleUser, consoleRequestSchema } from './requests.ts';

export interface ConsoleDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  ses: SESv2Client;
  /** The From address and configuration set of test sends (the sender's own). */
  sender?: { from: string; configurationSet: string } | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** The marketing bus: Journey Arming Requested when a change makes a date trigger live. */
  events: EventPublisher;
}

export interface ConsoleAnswer {
  status: number;
  body: unknown;
}

/** Matching customer ids the audience builder shows (ids only). */
const AUDIENCE_SAMPLE_SHOWN = 10;

export function consoleApi(deps: ConsoleDeps): (input: unknown, user: ConsoleUser) => Promise<ConsoleAnswer> {
  const catalogue = new JourneyCatalogue(deps.doc, deps.tableName, deps.clock);
  const journeys = new ConsoleJourneys(
    catalogue,
    new JourneyStepResults(deps.doc, deps.tableName),
    new JourneyStepCounts(deps.doc, deps.tableName),
    { progress: new JourneyArmingStore(deps.doc, deps.tableName), events: deps.events },
  );
  const program = deployedProgram(deps.env);
  const vocabulary = journeyVocabulary(program);
  const editor = new JourneyEditor(catalogue, { program, clock: deps.clock });
  const customerFacts = customerFactsReader({ doc: deps.doc, tableName: deps.tableName, clock: deps.clock });
  const customers = new CustomerCards({ doc: deps.doc, tableName: deps.tableName, clock: deps.clock, program, catalogue });
  const segments = new SegmentStore(deps.doc, deps.tableName);
  const reports = new StoredReports(deps.doc, deps.tableName);

  async function answer(request: ConsoleRequest, user: ConsoleUser): Promise<unknown> {
    const now = deps.clock.now();
    const by = user.email ?? user.id;
    switch (request.op) {
      case 'session':
        // The names the audience builder offers: the validator's own vocabulary.
        return {
          user,
          now: now.toISOString(),
          tiers: vocabulary.tiers,
          lifecycleStages: vocabulary.lifecycleStages,
          segments: vocabulary.segments,
        };
      case 'journeys.list':
        return { journeys: await journeys.list(now) };
      case 'journey.get': {
        const to = request.to ?? now.toISOString().slice(0, 10);
        const from = request.from ?? new Date(now.getTime() - 29 * DAY_MS).toISOString().slice(0, 10);
        return journeys.view(request.journeyId, { from, to });
      }
      case 'journey.versions':
        return { versions: await journeys.versions(request.journeyId) };
      case 'journey.diff':
        return journeys.diff(request.journeyId, request.from, request.to);
      case 'journey.enable': {
        const outcome = await journeys.setEnabled(request.journeyId, request.enabled, by, request.note);
        return journeys.armIfNewlyLive(request.journeyId, outcome, by, now);
      }
      case 'journey.rollback': {
        const outcome = await journeys.rollback(request.journeyId, by, request.note, request.to);
        return journeys.armIfNewlyLive(request.journeyId, outcome, by, now);
      }
      case 'draft.validate': {
        const { journey, problems } = await editor.validate(request);
        return { valid: problems.length === 0, journeyId: journey?.id, problems };
      }
      case 'draft.preview': {
        const facts = request.customerId ? await customerFacts(request.customerId) : undefined;
        if (request.customerId && !facts) throw new CustomerNotFoundError(`customer ${request.customerId} is not in the store`);
        const profile = facts?.stored.profile;
        const who = facts && profile
          ? {
              facts,
              customer: {
                customerId: profile.customerId,
                email: profile.email ?? '',
                firstName: profile.firstName,
                lastName: profile.lastName,
                timeZone: profile.timeZone,
                attributes: profile.attributes,
              },
            }
          : undefined;
        return editor.preview(request, request.template, request.locale, who);
      }
      case 'draft.test-send': {
        if (!deps.sender) throw new ConsoleInputError('test sends need the sender address (SENDER_ADDRESS) configured');
        const email = await editor.preview(request, request.template, request.locale);
        const sent = await deps.ses.send(
          new SendEmailCommand({
            FromEmailAddress: deps.sender.from,
            Destination: { ToAddresses: [request.to] },
            ConfigurationSetName: deps.sender.configurationSet,
            Content: {
              Simple: {
                Subject: { Data: `[TEST] ${email.subject}`, Charset: 'UTF-8' },
                Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
              },
            },
          }),
        );
        return { messageId: sent.MessageId, subject: `[TEST] ${email.subject}` };
      }
      case 'draft.publish': {
        const outcome = await editor.publish(request, by, request.note, request.expectedVersion);
        return journeys.armIfNewlyLive(outcome.journeyId, outcome, by, now);
      }
      case 'draft.patch':
        return { patch: await editor.patch(request.journeyId, request) };
      case 'audience.estimate': {
        // Two GetItems (the weekly counts and sample), then the sampled profiles: never a Scan.
        const [thresholds, sample] = await Promise.all([segments.thresholds(), segments.audienceSample()]);
        if (!thresholds?.population)
          return { estimated: true, available: false, reason: 'no weekly population counts yet (the weekly analytics run writes them)' };
        const population = { ...thresholds.population, churnRisk: sample?.churnRisk };
        const estimate = estimateAudience(request.where, { customers: thresholds.customers, ...population });
        const matching = sample
          ? await sampleAudience(request.where, sample, population, customerFacts, { show: AUDIENCE_SAMPLE_SHOWN, candidates: SAMPLE_PER_NAME * 2 })
          : undefined;
        return { estimated: true, available: true, asOf: thresholds.computedAt, total: thresholds.customers, ...estimate, sample: matching };
      }
      case 'customer.find':
        return { customers: await customers.find(request.query) };
      case 'customer.resubscribe':
        await customers.resubscribe(request.customerId, by, request.note);
        return { resubscribed: true };
      case 'results.report': {
        // The weekly run's stored reports: a Query for the periods and a GetItem, never a Scan.
        const periods = (await reports.periods()).sort((a, b) => periodOrder(a.period) - periodOrder(b.period) || b.from.localeCompare(a.from));
        if (!periods.length) return { periods, reason: 'no stored report yet (the weekly analytics run stores them)' };
        const wanted = request.period ?? 'last-30-days';
        const stored = await reports.report(wanted);
        if (!stored) throw new StoredReportNotFoundError(`no stored report for ${wanted}; stored: ${periods.map((p) => p.period).join(', ')}`);
        // A report stored by an earlier version is shown with its missing parts empty, and says so.
        const { report, missing } = readStoredReport(stored.report);
        return { periods, ...stored, report, ...(missing.length ? { missing } : {}) };
      }
    }
  }

  return async (input, user) => {
    const parsed = consoleRequestSchema.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => ({
        field: issue.path.join('.'),
        message: issue.message,
        value: valueAt(input, issue.path),
      }));
      return { status: 400, body: { error: problems.map((p) => `${p.field || 'request'}: ${p.message}`).join('; '), problems } };
    }
    try {
      return { status: 200, body: await answer(parsed.data, user) };
    } catch (error) {
      if (error instanceof DraftRejectedError) return { status: 422, body: { error: 'the draft has problems', problems: error.problems } };
      if (error instanceof JourneyNotFoundError || error instanceof CustomerNotFoundError || error instanceof StoredReportNotFoundError)
        return { status: 404, body: { error: error.message } };
      if (error instanceof JourneyPublishConflictError) return { status: 409, body: { error: error.message } };
      if (error instanceof ConsoleInputError) return { status: 400, body: { error: error.message } };
      throw error;
    }
  };
}

export class ConsoleInputError extends Error {
  override name = 'ConsoleInputError';
}

class StoredReportNotFoundError extends Error {
  override name = 'StoredReportNotFoundError';
}

/** Rolling periods first (shortest first), then calendar months (newest first). */
const periodOrder = (period: string) => (period.startsWith('last-') ? Number(period.split('-')[1]) : 1_000_000);

/** The offending value, short, for the error answer (never logged: it may be an address). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return typeof value === 'string' ? value.slice(0, 80) : typeof value === 'object' ? undefined : value;
}
