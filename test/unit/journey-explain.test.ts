import { describe, expect, it } from 'vitest';
import { explainJourney, renderExplanation } from '#shared/domain/journey-explain.ts';
import type { JourneyState } from '#shared/domain/journey-state.ts';

const state: JourneyState = {
  customerId: 'c-1',
  journeyId: 'gold-nudge',
  stateVersion: 4,
  status: 'active',
  entryId: 'order-1',
  enteredAt: '2027-03-01T10:00:00.000Z',
  entryVersion: 1,
  version: 1,
  currentStep: 'wait-3d',
  nextDueAt: '2027-03-04T15:00:00.000Z',
  variant: 'nudge-b',
  entries: 1,
  recentEntryIds: ['order-1'],
  triggerDetail: {},
  history: [
    {
      at: '2027-03-01T10:00:00.000Z',
      stepId: 'wait-3d',
      kind: 'enter',
      version: 1,
      outcome: 'entered',
      detail: 'Purchase Completed order-1',
    },
    {
      at: '2027-03-01T10:00:00.000Z',
      stepId: 'close',
      kind: 'branch',
      version: 1,
      outcome: 'took case 2',
      detail: '120.00 to the next tier ≤ 300.00',
    },
  ],
};

describe('journey explain', () => {
  it('says a member of the global control group never enters, and why', () => {
    const explanation = explainJourney({ journeyId: 'gold-nudge', customerId: 'c-9', state: undefined, sends: [], globalControlGroup: true });
    expect(explanation).toMatchObject({ status: 'not-entered', globalControlGroup: true });
    expect(renderExplanation(explanation)).toContain('held out by the global control group: enters no marketing journey');
    const before = explainJourney({ journeyId: 'gold-nudge', customerId: 'c-1', state, sends: [], globalControlGroup: true });
    expect(before.summary).toMatch(/^waiting at wait-3d .*; since then held out by the global control group/);
  });

  it('says where a waiting customer is, on which version, and that the journey has moved on', () => {
    const explanation = explainJourney({
      journeyId: 'gold-nudge',
      customerId: 'c-1',
      state,
      sends: [],
      currentVersion: 2,
    });
    expect(explanation.status).toBe('active');
    expect(explanation.summary).toBe(
      'waiting at wait-3d until 2027-03-04T15:00:00.000Z, on v1 (journey now at v2: later steps run on it); variant nudge-b',
    );
    const text = renderExplanation(explanation);
    expect(text).toContain('branch close');
    expect(text).toContain('took case 2 — 120.00 to the next tier ≤ 300.00');
  });

  it('lists sends oldest first with their outcome and reason, and explains an exit', () => {
    const explanation = explainJourney({
      journeyId: 'gold-nudge',
      customerId: 'c-1',
      state: {
        ...state,
        status: 'exited',
        exitReason: 'exit-event',
        exitedAt: '2027-03-09T00:00:00.000Z',
        currentStep: undefined,
        nextDueAt: undefined,
      },
      sends: [
        {
          customerId: 'c-1',
          journeyId: 'gold-nudge',
          entryId: 'order-1',
          stepId: 'nudge-b',
          version: 1,
          template: 't-b',
          outcome: 'skipped',
          reason: 'consent: withdrawn',
          at: '2027-03-08T15:00:00.000Z',
        },
        {
          customerId: 'c-1',
          journeyId: 'gold-nudge',
          entryId: 'order-1',
          stepId: 'remind',
          version: 1,
          template: 't-r',
          outcome: 'deferred',
          reason: 'quiet hours',
          at: '2027-03-05T02:00:00.000Z',
          notBefore: '2027-03-05T13:00:00.000Z',
        },
      ],
    });
    expect(explanation.summary).toBe(
      'left on an exit event at 2027-03-09T00:00:00.000Z, on v1; variant nudge-b',
    );
    expect(explanation.sends.map((s) => s.stepId)).toEqual(['remind', 'nudge-b']);
    expect(renderExplanation(explanation)).toMatch(
      /remind\s+t-r: deferred \(quiet hours\), retry from 2027-03-05T13:00:00.000Z\n.*nudge-b\s+t-b: skipped \(consent: withdrawn\)/,
    );
  });

  it('says when a customer never entered and when the trigger next offers an entry', () => {
    expect(
      explainJourney({
        journeyId: 'birthday',
        customerId: 'c-2',
        state: undefined,
        sends: [],
        nextTriggerAt: '2027-05-01T13:00:00.000Z',
      }).summary,
    ).toBe('has never entered; the trigger is next due 2027-05-01T13:00:00.000Z');
  });
});
