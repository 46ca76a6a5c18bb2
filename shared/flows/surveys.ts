// Applies a Survey Answered event: record the answer once, then move the profile's latest score
// forward. Both steps are idempotent, so a redelivery (or a crash between them) converges.
import type { SurveyAnswered } from '../events/contracts.ts';
import type { SurveyStore } from '../store/surveys.ts';

export interface SurveyOutcome {
  recorded: boolean;
  latest: boolean;
}

export async function recordSurveyAnswer(
  store: SurveyStore,
  event: SurveyAnswered,
  now: Date,
): Promise<SurveyOutcome> {
  const answer = {
    customerId: event.customerId,
    score: event.score,
    answeredAt: new Date(event.answeredAt).toISOString(),
  };
  const recorded = await store.recordAnswerOnce(answer, now);
  // Not skipped on a redelivery: the first delivery may have died before updating the profile.
  const latest = await store.setLatestOnProfile(answer, now);
  return { recorded, latest };
}
