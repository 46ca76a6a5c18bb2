// The console's customer page: find a customer by id or address (a key read, or the byEmail
// index), then read their whole partition in one Query — profile, loyalty, predictions, journey
// runs with `explain`, sends with their outcome, consent, suppression and operator audits.
// Operator changes (re-subscribe) are written with who and why beside the change itself.
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type JourneyExplanation, explainJourney } from '../domain/journey-explain.ts';
import { journeySendOutcomeSchema, journeyStateSchema } from '../domain/journey-state.ts';
import { queryAll } from '../store/dynamo.ts';
import type { JourneyCatalogue } from '../store/journeys.ts';
import type { FactsReader } from '../journeys/customer-facts.ts';
import { keys } from '../store/keys.ts';
import type { SuppressionStore } from '../store/suppression.ts';
import type { ConsoleUser } from './requests.ts';

export interface CustomerView {
  customerId: string;
  profile: Record<string, unknown>;
  /** As journeys see them: tier, lifecycle stage, segments, spend, orders, points, predictions. */
  standing?: Record<string, unknown> | undefined;
  /** The address is on the suppression list (hard bounce or complaint): no email reaches it. */
  suppression?: { at: string; reason: string } | undefined;
  journeys: JourneyExplanation[];
  /** Campaign sends from the send ledger (the journeys' own sends are in `journeys`). */
  ledger: { key: string; at?: string | undefined; outcome?: string | undefined }[];
  audits: { at: string; action: string; by: string; why: string }[];
}

export class CustomerNotFoundError extends Error {
  override name = 'CustomerNotFoundError';
}

export class ConsoleCustomers {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly catalogue: JourneyCatalogue,
    private readonly suppression: SuppressionStore,
    /** The journey engine's own reader of a customer's condition facts. */
    private readonly facts: FactsReader,
  ) {}

  /** Every customer whose id or address is `query` (an address may belong to several). */
  async find(query: string): Promise<CustomerView[]> {
    const ids = query.includes('@') ? await this.suppression.customersWithAddress(query) : [query];
    const views = await Promise.all(ids.map((id) => this.view(id)));
    return views.filter((view): view is CustomerView => view !== undefined);
  }

  async view(customerId: string): Promise<CustomerView | undefined> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.customerPk(customerId) },
    });
    const profileItem = items.find((item) => item.SK === 'PROFILE');
    if (!profileItem) return undefined;
    const { PK: _pk, SK: _sk, GSI2PK: _g, GSI2SK: _gs, ...profile } = profileItem;
    const email = typeof profile.email === 'string' ? profile.email : undefined;
    const [journeys, facts] = await Promise.all([this.explainAll(customerId, items), this.facts(customerId)]);
    return {
      customerId,
      profile,
      standing: facts?.condition,
      suppression: email ? await this.suppression.addressSuppression(email) : undefined,
      journeys,
      ledger: items
        .filter((item) => String(item.SK).startsWith('SEND#'))
        .map((item) => ({
          key: String(item.SK).slice('SEND#'.length),
          at: typeof item.sentAt === 'string' ? item.sentAt : typeof item.claimedAt === 'string' ? item.claimedAt : undefined,
          outcome: typeof item.status === 'string' ? item.status : undefined,
        })),
      audits: items
        .filter((item) => String(item.SK).startsWith('AUDIT#'))
        .map((item) => ({ at: String(item.at), action: String(item.action), by: String(item.by), why: String(item.why) }))
        .reverse(),
    };
  }

  /** An operator's re-subscribe: consent granted again, with who and why kept on the customer. */
  async resubscribe(customerId: string, user: ConsoleUser, why: string, now: Date): Promise<void> {
    await this.suppression.reOptIn(customerId, now, `console:${user.id}`);
    await this.audit(customerId, 'resubscribe', user, why, now);
  }

  private async audit(customerId: string, action: string, user: ConsoleUser, why: string, at: Date): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.operatorAudit(customerId, at, action), type: 'operator-audit', at: at.toISOString(), action, by: user.id, why },
      }),
    );
  }

  /** `explain` for every journey the customer has a run in, from the items already read. */
  private async explainAll(customerId: string, items: Record<string, unknown>[]): Promise<JourneyExplanation[]> {
    const prefix = keys.journeyItemsPrefix();
    const journeyIds = new Set(
      items
        .map((item) => String(item.SK))
        .filter((sk) => sk.startsWith(prefix) && sk.endsWith('#STATE'))
        .map((sk) => sk.slice(prefix.length, -'#STATE'.length)),
    );
    return Promise.all(
      [...journeyIds].sort().map(async (journeyId) => {
        const own = items.filter((item) => String(item.SK).startsWith(keys.journeyItemsPrefix(journeyId)));
        const stateItem = own.find((item) => String(item.SK).endsWith('#STATE'));
        const state = stateItem ? journeyStateSchema.parse(stateItem) : undefined;
        const sends = own
          .filter((item) => String(item.SK).includes('#SEND#'))
          .map((item) => journeySendOutcomeSchema.parse(item));
        const current = await this.catalogue.current(journeyId);
        return explainJourney({ journeyId, customerId, state, sends, currentVersion: current?.version });
      }),
    );
  }
}

