// DynamoDB adapter for survey answers: one SURVEY item per answer (written once, keyed by the
// answer's instant) and the latest answer copied onto the profile by a conditional write that
// only moves forward in answer time, so redelivered or late answers never overwrite a newer one.
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { putOnce, writeIfCondition } from './dynamo.ts';
import { keys } from './keys.ts';

export interface SurveyAnswer {
  customerId: string;
  score: number;
  /** Normalised ISO instant (toISOString), so string comparison orders answers by time. */
  answeredAt: string;
}

export class SurveyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** Records an answer once; false if this (customer, answeredAt) is already recorded. */
  async recordAnswerOnce(answer: SurveyAnswer, recordedAt: Date): Promise<boolean> {
    return putOnce(this.doc, this.tableName, {
      ...keys.surveyAnswer(answer.customerId, answer.answeredAt),
      type: 'survey',
      ...answer,
      recordedAt: recordedAt.toISOString(),
    });
  }

  /**
   * Sets profile.survey to this answer unless the profile holds a later one. Creates a minimal
   * profile (no consent) for a customer we have not met yet. False when a later answer is held.
   */
  async setLatestOnProfile(answer: SurveyAnswer, now: Date): Promise<boolean> {
    return writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.profile(answer.customerId),
        UpdateExpression:
          'SET #s = :s, #id = :id, #c = if_not_exists(#c, :c), #consent = if_not_exists(#consent, :consent)',
        ConditionExpression: 'attribute_not_exists(#s) OR #s.#at < :at',
        ExpressionAttributeNames: {
          '#s': 'survey',
          '#at': 'answeredAt',
          '#id': 'customerId',
          '#c': 'createdAt',
          '#consent': 'consent',
        },
        ExpressionAttributeValues: {
          ':s': { score: answer.score, answeredAt: answer.answeredAt },
          ':at': answer.answeredAt,
          ':id': answer.customerId,
          ':c': now.toISOString(),
          ':consent': { granted: false, at: new Date(0).toISOString(), source: 'unknown' },
        },
      }),
    );
  }
}
