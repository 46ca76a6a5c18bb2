// The two DynamoDB shapes every store repeats: a Query read to its last page, and a conditional
// write whose lost condition is an answer (false), not an error. Key shapes, conditions and
// items stay with each store; this module only runs the requests.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

/** What the client's send accepts; each write command above is one. */
type DocCommand = Parameters<DynamoDBDocumentClient['send']>[0];

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

/** All items of a Query, following LastEvaluatedKey page by page (one request per page). */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Sends a conditional write; true if it was applied, false if its condition did not hold. */
export async function writeIfCondition(
  doc: DynamoDBDocumentClient,
  command: PutCommand | UpdateCommand | DeleteCommand,
): Promise<boolean> {
  try {
    await doc.send(command as DocCommand);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Puts `item` if no item has its key yet: true if this call wrote it, false if one was there. */
export function putOnce(
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown> & { PK: string; SK: string },
): Promise<boolean> {
  return writeIfCondition(
    doc,
    new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }),
  );
}

/**
 * Puts the result of a periodic computation unless one computed for a later instant is already
 * stored (`attr` holds the ISO instant): a late or redelivered run never replaces a newer result.
 */
export function putUnlessNewer(
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown> & { PK: string; SK: string },
  attr: string,
  at: string,
): Promise<boolean> {
  return writeIfCondition(
    doc,
    new PutCommand({
      TableName: tableName,
      Item: item,
      ConditionExpression: 'attribute_not_exists(#at) OR #at <= :at',
      ExpressionAttributeNames: { '#at': attr },
      ExpressionAttributeValues: { ':at': at },
    }),
  );
}

/**
 * The optimistic-version condition on `attr` (an attribute name or `#name` placeholder):
 * version 0 means "never written" (`absentAttr`, default `attr`, must not exist); otherwise `attr`
 * must equal `:v`. ExpressionAttributeValues is only present when the condition references `:v`
 * (DynamoDB rejects unused values), so the result can be spread into a Put.
 */
export function versionCondition(
  attr: string,
  expected: number,
  absentAttr: string = attr,
): { ConditionExpression: string; ExpressionAttributeValues?: Record<string, number> } {
  return expected === 0
    ? { ConditionExpression: `attribute_not_exists(${absentAttr})` }
    : { ConditionExpression: `${attr} = :v`, ExpressionAttributeValues: { ':v': expected } };
}
