// Survey Answered -> a SURVEY record per answer and the latest score on the customer profile
// (the attitude signal of loyalty types and the input of NPS).
import { surveyAnsweredDetail } from '#shared/events/contracts.ts';
import { recordSurveyAnswer } from '#shared/flows/surveys.ts';
import { SurveyStore } from '#shared/store/surveys.ts';
import { eventConsumer, route } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import type { Runtime } from '../commons/runtime.ts';

export function createHandler(runtime: Runtime) {
  const store = new SurveyStore(runtime.doc, runtime.tableName);
  return eventConsumer('ingest-surveys', runtime, {
    'Survey Answered': route(
      surveyAnsweredDetail,
      async (answer) => {
        await recordSurveyAnswer(store, answer, runtime.clock.now());
      },
      (answer) => ({ 'detail.answeredAt': answer.answeredAt }),
    ),
  });
}

export const handler = lambdaEntry(createHandler);
