// A customer's journeys as one recorded fact finds them: every run state and send outcome, their
// date-trigger timer and the profile, in ONE Query (SK BETWEEN "JOURNEY#" AND "PROFILE", keys.ts) —
// instead of a read per journey that could react, a timer read per date trigger and the profile.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type JourneySendOutcome,
  type JourneyState,
  journeySendOutcomeSchema,
  journeyStateSchema,
} from '../domain/journey-state.ts';
import type { JourneyTriggersTimerData, Timer } from '../domain/timers.ts';
import { type StoredProfile, toStoredProfile } from './customers.ts';
import { queryAll } from './dynamo.ts';
import { keys } from './keys.ts';
import { isLegacyTrigger, type LegacyJourneyTrigger, toLegacyTrigger, toTimer } from './timers.ts';

export interface CustomerJourneys {
  profile: StoredProfile | undefined;
  /** Run states by journey id (absent: never entered). */
  states: Map<string, JourneyState>;
  /** Every date-trigger journey's next occasion: one timer (absent: never armed). */
  triggers: Timer<JourneyTriggersTimerData> | undefined;
  /** Date triggers still in their own item per journey (tables written before JOURNEY#TRIGGERS). */
  legacyTriggers: Map<string, LegacyJourneyTrigger>;
  sends: JourneySendOutcome[];
}

export class CustomerJourneysReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async load(customerId: string): Promise<CustomerJourneys> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': keys.customerPk(customerId),
        ':from': keys.journeyItemsAndProfileRange.from,
        ':to': keys.journeyItemsAndProfileRange.to,
      },
      ConsistentRead: true,
    });
    const view: CustomerJourneys = {
      profile: undefined,
      states: new Map(),
      triggers: undefined,
      legacyTriggers: new Map(),
      sends: [],
    };
    for (const item of items) {
      if (item.SK === keys.profile(customerId).SK) view.profile = toStoredProfile(item);
      else if (item.type === 'journey-state') {
        const state = journeyStateSchema.parse(item);
        view.states.set(state.journeyId, state);
      } else if (item.type === 'journey-send') view.sends.push(journeySendOutcomeSchema.parse(item));
      else if (item.type === 'timer' && isLegacyTrigger(item)) {
        const legacy = toLegacyTrigger(item);
        view.legacyTriggers.set(legacy.journeyId, legacy);
      } else if (item.type === 'timer') {
        const timer = toTimer(item);
        if (timer.data.kind === 'journey-triggers') view.triggers = { ...timer, data: timer.data };
      }
    }
    return view;
  }
}
