// Reads a customer's partition straight from the table, to assert exactly what was written.
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/store/keys.ts';

export async function customerItems(doc: DynamoDBDocumentClient, tableName: string, customerId: string) {
  const { Items = [] } = await doc.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.customerPk(customerId) },
      ConsistentRead: true,
    }),
  );
  return Items;
}

export async function profileOf(doc: DynamoDBDocumentClient, tableName: string, customerId: string) {
  return (await customerItems(doc, tableName, customerId)).find((item) => item.SK === 'PROFILE');
}
