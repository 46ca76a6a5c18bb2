// One customer as an operator sees them — `loyalty customers show` and the console's customer
// page both read this card: profile, consent and suppression, loyalty standing, purchases,
// lifecycle and segments (the journey engine's own facts), predictions as of now, every journey
// with `explain`, the emails sent with their outcome, and the operators' audited changes.
// Reads by key only: the profile, its facts, and three Queries on the customer's partition.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../domain/clock.ts';
import { type CustomerPrediction, predictionAt } from '../domain/customer-predictions.ts';
import { type JourneyExplanation, explainJourney } from '../domain/journey-explain.ts';
import { programLocale, tierById, tierName } from '../domain/loyalty-program.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import { formatMoney, type Milli } from '../domain/money.ts';
import { customerFactsReader } from '../journeys/customer-facts.ts';
import { queryAll } from '../store/dynamo.ts';
import { JourneyStateStore } from '../store/journey-states.ts';
import type { JourneyCatalogue } from '../store/journeys.ts';
import { keys } from '../store/keys.ts';
import { SuppressionStore } from '../store/suppression.ts';
import { TimerStore } from '../store/timers.ts';

export interface CustomerCardDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  program: LoyaltyProgram;
  catalogue: JourneyCatalogue;
}

/** An email to the customer: a journey send (with its step) or a campaign send from the ledger. */
export interface CardEmail {
  source: 'journey' | 'campaign';
  /** The journey or campaign id. */
  id: string;
  step?: string | undefined;
  template?: string | undefined;
  at: string;
  outcome: string;
  reason?: string | undefined;
}

export interface OperatorAudit {
  at: string;
  action: string;
  by: string;
  why: string;
}

export type CustomerCard = NonNullable<Awaited<ReturnType<CustomerCards['card']>>>;

export class CustomerNotFoundError extends Error {
  override name = 'CustomerNotFoundError';
}

export class CustomerCards {
  private readonly facts;
  private readonly suppression;
  private readonly journeys;

  constructor(private readonly deps: CustomerCardDeps) {
    this.facts = customerFactsReader(deps);
    this.suppression = new SuppressionStore(deps.doc, deps.tableName);
    this.journeys = new JourneyStateStore(deps.doc, deps.tableName, new TimerStore(deps.doc, deps.tableName));
  }

  /** Every customer whose id or address is `query` (an address may belong to several). */
  async find(query: string): Promise<CustomerCard[]> {
    const ids = query.includes('@') ? await this.suppression.customersWithAddress(query) : [query];
    const cards = await Promise.all(ids.map((id) => this.card(id)));
    return cards.filter((card): card is CustomerCard => card !== undefined);
  }

  async card(customerId: string) {
    const now = this.deps.clock.now();
    const [facts, recipient, story, ledger, audits] = await Promise.all([
      this.facts(customerId),
      this.suppression.recipient(customerId),
      this.journeys.story(customerId),
      this.partition(customerId, 'SEND#'),
      this.partition(customerId, 'AUDIT#'),
    ]);
    if (!facts || !recipient) return undefined;
    const { program } = this.deps;
    const { profile, loyalty } = facts.stored;
    const locale = programLocale(program, profile.locale);
    const money = (milli: Milli | null | undefined) =>
      milli === null || milli === undefined ? null : formatMoney(milli, program.currency, locale);
    const named = (id: string | null | undefined) => {
      const tier = id ? tierById(program, id) : undefined;
      return tier ? tierName(program, tier, locale) : null;
    };
    const journeys = await Promise.all(
      story.states.map(async (state): Promise<JourneyExplanation> =>
        explainJourney({
          journeyId: state.journeyId,
          customerId,
          state,
          sends: story.sends.filter((send) => send.journeyId === state.journeyId),
          currentVersion: (await this.deps.catalogue.current(state.journeyId))?.version,
        }),
      ),
    );
    const journeySends = new Set(story.sends.map((send) => `${send.journeyId}#${send.entryId}#${send.stepId}`));
    const emails: CardEmail[] = [
      ...story.sends.map((send) => ({
        source: 'journey' as const,
        id: send.journeyId,
        step: send.stepId,
        template: send.template,
        at: send.at,
        outcome: send.outcome,
        reason: send.reason,
      })),
      // A journey send also holds a ledger entry (SEND#<journey>#<entry>#<step>[#visit]): listed once, above.
      ...ledger.filter((item) => !journeySends.has(String(item.SK).replace(/^SEND#/, '').replace(/#\d+$/, ''))).map((item) => ({
        source: 'campaign' as const,
        id: typeof item.campaignId === 'string' ? item.campaignId : String(item.SK).slice('SEND#'.length),
        at: typeof item.sentAt === 'string' ? item.sentAt : String(item.claimedAt ?? ''),
        outcome: String(item.status ?? 'claimed'),
      })),
    ].sort((a, b) => b.at.localeCompare(a.at));
    return {
      customerId,
      profile: {
        email: profile.email ?? null,
        firstName: profile.firstName ?? null,
        lastName: profile.lastName ?? null,
        locale: profile.locale ?? null,
        timeZone: profile.timeZone ?? null,
        birthday: profile.birthday ?? null,
        marketingConsent: profile.consent.granted,
        attributes: profile.attributes ?? {},
        createdAt: profile.createdAt,
      },
      /** Consent as the sender checks it at send time: the shop's consent, an opt-out, a suppression. */
      consent: {
        granted: recipient.consent?.granted ?? false,
        at: recipient.consent?.at ?? null,
        source: recipient.consent?.source ?? null,
        optOut: recipient.optOut ?? null,
        suppressed: recipient.suppressed ?? null,
      },
      loyalty: loyalty
        ? {
            tier: loyalty.tier,
            tierName: named(loyalty.tier),
            tierSince: loyalty.tierSince,
            tierHeldUntil: loyalty.tierHeldUntil,
            points: loyalty.points,
            nextPointsExpiry: loyalty.nextPointsExpiry,
            rollingSpend: money(loyalty.rollingSpendMilli),
            nextTier: loyalty.nextTier,
            nextTierName: named(loyalty.nextTier),
            spendToNextTier: money(loyalty.spendToNextTierMilli),
          }
        : null,
      purchases: {
        orders: facts.condition.orderCount,
        lifetimeSpend: money(profile.purchases?.totalSpendMilli ?? 0),
        firstPurchaseAt: profile.purchases?.firstPurchaseAt ?? null,
        lastPurchaseAt: profile.purchases?.lastPurchaseAt ?? null,
      },
      lifecycleStage: facts.condition.lifecycleStage ?? null,
      segments: facts.condition.segments ?? [],
      predictions: predictionsOf(profile.predictions && predictionAt(profile.predictions, now), money),
      journeys,
      emails,
      audits: audits
        .map((item): OperatorAudit => ({ at: String(item.at), action: String(item.action), by: String(item.by), why: String(item.why) }))
        .reverse(),
    };
  }

  /**
   * An operator's re-subscribe: the audit record (who, why) is written first, so no consent change
   * is ever unaudited; a retry after a crash between the two writes records the request again and
   * grants consent (granting it twice changes nothing).
   */
  async resubscribe(customerId: string, operator: string, why: string): Promise<void> {
    const at = this.deps.clock.now();
    if (!(await this.suppression.recipient(customerId))) throw new CustomerNotFoundError(`customer ${customerId} is not in the store`);
    await this.deps.doc.send(
      new PutCommand({
        TableName: this.deps.tableName,
        Item: { ...keys.operatorAudit(customerId, at, 'resubscribe'), type: 'operator-audit', at: at.toISOString(), action: 'resubscribe', by: operator, why },
      }),
    );
    await this.suppression.reOptIn(customerId, at, `operator:${operator}`);
  }

  private partition(customerId: string, prefix: string) {
    return queryAll(this.deps.doc, {
      TableName: this.deps.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.customerPk(customerId), ':prefix': prefix },
    });
  }
}

/** P(alive) and the rest as of now (docs/predictions.md); null before the first fit. */
function predictionsOf(prediction: CustomerPrediction | undefined, money: (milli: Milli | undefined) => string | null) {
  if (!prediction) return null;
  return {
    asOf: prediction.asOf,
    fittedAt: prediction.fittedAt,
    pAlive: prediction.pAlive,
    churnRisk: prediction.churnRisk,
    expectedPurchases90d: prediction.expectedPurchases90d,
    predictedValue12m: money(prediction.predictedValue12mMilli),
    expectedNextPurchaseAt: prediction.expectedNextPurchaseAt ?? null,
    atRiskFrom: prediction.atRiskFrom ?? null,
  };
}
