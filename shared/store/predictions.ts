// The fitted prediction models (one item, replaced by each weekly fit) and the per-customer
// predictions kept on the profile. Both writes are conditional on time moving forward, so a late
// or redelivered computation never replaces a newer one.
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { CHURN_RISK_BANDS, type CustomerPrediction } from '../domain/customer-predictions.ts';
import { putUnlessNewer, writeIfCondition } from './dynamo.ts';
import { keys } from './keys.ts';

const positive = z.number().positive();

export const predictionModelSchema = z.object({
  bgnbd: z.object({
    r: positive,
    alpha: positive,
    a: positive,
    b: positive,
    logLikelihood: z.number(),
    customers: z.number().int(),
    atBound: z.array(z.string()).optional(),
  }),
  gammaGamma: z.object({ p: positive, q: positive, gamma: positive, customers: z.number().int() }).optional(),
});

/** A customer's predictions as stored on the profile (`predictions`), see CustomerPrediction. */
export const customerPredictionSchema = z.object({
  asOf: z.string(),
  fittedAt: z.string(),
  pAlive: z.number().min(0).max(1),
  churnRisk: z.enum(CHURN_RISK_BANDS),
  expectedPurchases90d: z.number().nonnegative(),
  predictedValue12mMilli: z.number().int().nonnegative().optional(),
  expectedNextPurchaseAt: z.string().optional(),
  atRiskFrom: z.string().optional(),
  summary: z.object({
    x: z.number().int().nonnegative(),
    tx: z.number().nonnegative(),
    T: z.number().nonnegative(),
    firstPurchaseDay: z.string(),
    meanRepeatValueMilli: z.number().nonnegative(),
  }),
  model: z.object({
    bgnbd: z.object({ r: positive, alpha: positive, a: positive, b: positive }),
    gammaGamma: z.object({ p: positive, q: positive, gamma: positive }).optional(),
  }),
});

export const storedPredictionModel = z.discriminatedUnion('status', [
  z.object({ status: z.literal('fitted'), at: z.string(), model: predictionModelSchema }),
  /** Below the minimum-data rule or no converged fit: no predictions, and why. */
  z.object({ status: z.literal('not-fitted'), at: z.string(), reason: z.string() }),
]);
export type StoredPredictionModel = z.infer<typeof storedPredictionModel>;
export type FittedPredictionModel = Extract<StoredPredictionModel, { status: 'fitted' }>;

export class PredictionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async model(): Promise<StoredPredictionModel | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.predictionModel() }));
    if (!Item) return undefined;
    const { PK: _pk, SK: _sk, type: _type, ...stored } = Item;
    return storedPredictionModel.parse(stored);
  }

  /** Replaces the model unless a fit for a later instant already stored its own. */
  async saveModel(stored: StoredPredictionModel): Promise<boolean> {
    return putUnlessNewer(this.doc, this.tableName, { ...keys.predictionModel(), type: 'prediction-model', ...stored }, 'at', stored.at);
  }

  /**
   * Stores a customer's predictions on their profile (one UpdateItem) if the profile exists and
   * holds nothing computed later; false otherwise.
   */
  async savePrediction(customerId: string, prediction: CustomerPrediction): Promise<boolean> {
    return writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.profile(customerId),
        UpdateExpression: 'SET #p = :p',
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(#p) OR #p.#asOf <= :asOf)',
        ExpressionAttributeNames: { '#p': 'predictions', '#asOf': 'asOf' },
        ExpressionAttributeValues: { ':p': prediction, ':asOf': prediction.asOf },
      }),
    );
  }
}
