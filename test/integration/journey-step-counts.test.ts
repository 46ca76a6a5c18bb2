// The journey diagram's step counters: moved by the writer of each transition only, so a
// redelivered (lost-race) write counts nothing; read with one Query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#functions/commons/runtime.ts';
import { type Engine, startDynamoWithTable } from '#infra/local/engines.ts';
import type { JourneyState } from '#shared/domain/journey-state.ts';
import { JourneyStateStore } from '#shared/store/journey-states.ts';
import { JourneyStepCounts } from '#shared/store/journey-step-counts.ts';

const TABLE = 'step-counts';
let engine: Engine;
let states: JourneyStateStore;
let counts: JourneyStepCounts;

const noTimers = { markBucket: async () => undefined, nudge: async () => undefined };
const at = new Date('2027-03-01T10:00:00Z');
const run = (over: Partial<JourneyState>): JourneyState => ({
  customerId: 'c-1',
  journeyId: 'welcome',
  stateVersion: 0,
  status: 'active',
  entryId: 'e-1',
  enteredAt: at.toISOString(),
  entryVersion: 1,
  version: 1,
  currentStep: 'wait-1d',
  entries: 1,
  recentEntryIds: ['e-1'],
  triggerDetail: {},
  history: [],
  ...over,
});

beforeAll(async () => {
  const started = await startDynamoWithTable(TABLE);
  engine = started.engine;
  const doc = documentClient(started.client);
  states = new JourneyStateStore(doc, TABLE, noTimers);
  counts = new JourneyStepCounts(doc, TABLE);
});
afterAll(() => engine?.close());

describe('journey step counts', () => {
  it('counts each transition once, however often it is delivered, and reads now and the period', async () => {
    expect(await states.save(run({}), 0, at)).toBeDefined();
    expect(await states.save(run({}), 0, at)).toBeUndefined(); // the same entry delivered twice
    expect(await counts.counts('welcome', '2027-03-01', '2027-03-01')).toEqual({
      atStepNow: { 'wait-1d': 1 },
      passedThrough: { 'wait-1d': 1 },
    });

    const next = new Date('2027-03-02T10:00:00Z');
    expect(await states.save(run({ currentStep: 'hello' }), 1, next)).toBeDefined();
    expect(await states.save(run({ currentStep: 'hello' }), 1, next)).toBeUndefined();
    expect(await states.save(run({ status: 'exited', currentStep: undefined, exitReason: 'completed' }), 2, next)).toBeDefined();
    expect(await counts.counts('welcome', '2027-03-01', '2027-03-02')).toEqual({
      atStepNow: { 'wait-1d': 0, hello: 0 },
      passedThrough: { 'wait-1d': 1, hello: 1 },
    });
    // A period that ends before the send day does not count it.
    expect((await counts.counts('welcome', '2027-03-01', '2027-03-01')).passedThrough).toEqual({ 'wait-1d': 1 });
  });
});
