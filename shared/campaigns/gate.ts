// The ONE place every campaign passes before a SendRequest is enqueued: the published campaign
// must be enabled, the customer must be in its audience, and a deterministic holdout share is
// recorded as "held out" instead of being sent. Campaign flows wrap their send queue in it:
//   const queue = campaignGate({ doc, tableName, clock }, new SqsSendQueue(sqs, url));
// A campaign that was never published is governed by its shipped file alone (passes through).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Campaign } from '../domain/campaign.ts';
import { type AudienceFacts, audienceVerdict } from '../domain/campaign-audience.ts';
import type { Clock } from '../domain/clock.ts';
import { isHeldOut } from '../domain/holdout.ts';
import type { SendQueue, SendRequest } from '../mail/send-request.ts';
import { CampaignCatalogue, CurrentCampaigns, HoldoutRecords } from '../store/campaigns.ts';
import { audienceFactsReader } from './audience-facts.ts';

export type GateOutcome =
  | { kind: 'send' }
  | { kind: 'disabled' }
  | { kind: 'not-in-audience'; because: string }
  | { kind: 'held-out'; firstTime: boolean };

export interface GateDeps {
  campaigns: { get(campaignId: string): Promise<Campaign | undefined> };
  holdouts: Pick<HoldoutRecords, 'record'>;
  clock: Clock;
  /** Customer facts for audience filters; without it, audience filters are not applied here. */
  factsOf?(customerId: string): Promise<AudienceFacts | undefined>;
}

export async function admitSendRequest(request: SendRequest, deps: GateDeps): Promise<GateOutcome> {
  return (await admit(request, deps)).outcome;
}

/**
 * The published campaign's send rules the sender applies per request: its quiet hours (in the
 * customer's zone) replace the sender's global QUIET_HOURS for this email (without
 * `send.quietHours` the sender's default applies), and its priority orders one customer's
 * requests within a sender batch.
 */
export function withCampaignSendRules(request: SendRequest, campaign: Campaign | undefined): SendRequest {
  if (!campaign) return request;
  const quietHours = campaign.send.quietHours;
  return {
    ...request,
    priority: campaign.send.priority,
    ...(quietHours ? { quietHours: { from: quietHours.from, to: quietHours.to } } : {}),
  };
}

async function admit(
  request: SendRequest,
  deps: GateDeps,
): Promise<{ outcome: GateOutcome; campaign: Campaign | undefined }> {
  const campaign = await deps.campaigns.get(request.campaignId);
  return { outcome: await decide(request, campaign, deps), campaign };
}

async function decide(
  request: SendRequest,
  campaign: Campaign | undefined,
  deps: GateDeps,
): Promise<GateOutcome> {
  if (!campaign) return { kind: 'send' };
  if (!campaign.enabled) return { kind: 'disabled' };
  if (deps.factsOf && Object.keys(campaign.audience).length) {
    const facts = await deps.factsOf(request.customerId);
    const verdict = facts
      ? audienceVerdict(campaign.audience, facts)
      : ({ in: false, because: 'unknown customer' } as const);
    if (!verdict.in) return { kind: 'not-in-audience', because: verdict.because };
  }
  if (isHeldOut(campaign.id, request.customerId, campaign.holdoutPercent)) {
    const firstTime = await deps.holdouts.record({
      customerId: request.customerId,
      campaignId: request.campaignId,
      period: request.period,
      step: request.step,
      at: deps.clock.now(),
    });
    return { kind: 'held-out', firstTime };
  }
  return { kind: 'send' };
}

/** A SendQueue that admits each request through the gate and enqueues only those to send. */
export class CampaignGate implements SendQueue {
  constructor(
    private readonly inner: SendQueue,
    private readonly deps: GateDeps,
    private readonly onOutcome: (request: SendRequest, outcome: GateOutcome) => void = () => {},
  ) {}

  async enqueue(requests: SendRequest[]): Promise<void> {
    const admitted: SendRequest[] = [];
    for (const request of requests) {
      const { outcome, campaign } = await admit(request, this.deps);
      this.onOutcome(request, outcome);
      if (outcome.kind === 'send') admitted.push(withCampaignSendRules(request, campaign));
    }
    if (admitted.length) await this.inner.enqueue(admitted);
  }
}

/**
 * The gate as campaign handlers build it once per cold start (campaign reads cached 30 s); audience
 * facts come from the stored profile and the derived segments unless `factsOf` is given.
 */
export function campaignGate(
  store: { doc: DynamoDBDocumentClient; tableName: string; clock: Clock },
  inner: SendQueue,
  options: Pick<GateDeps, 'factsOf'> & {
    ttlMs?: number;
    onOutcome?: (request: SendRequest, outcome: GateOutcome) => void;
  } = {},
): CampaignGate {
  const catalogue = new CampaignCatalogue(store.doc, store.tableName, store.clock);
  return new CampaignGate(
    inner,
    {
      campaigns: new CurrentCampaigns(catalogue, store.clock, options.ttlMs ?? 30_000),
      holdouts: new HoldoutRecords(store.doc, store.tableName),
      clock: store.clock,
      factsOf: options.factsOf ?? audienceFactsReader(store),
    },
    options.onOutcome,
  );
}
