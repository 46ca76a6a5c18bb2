import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { isConditionFailure, versionCondition } from '#shared/store/dynamo.ts';

describe('versionCondition (optimistic versions in the store adapters)', () => {
  it('requires the version attribute to be absent for version 0, with no values to send', () => {
    expect(versionCondition('#v', 0)).toEqual({ ConditionExpression: 'attribute_not_exists(#v)' });
    expect(versionCondition('#v', 0)).not.toHaveProperty('ExpressionAttributeValues');
  });

  it('checks another attribute for absence when told to (items keyed by PK)', () => {
    expect(versionCondition('version', 0, 'PK')).toEqual({ ConditionExpression: 'attribute_not_exists(PK)' });
  });

  it('requires the stored version to equal :v once the item has one', () => {
    expect(versionCondition('version', 3, 'PK')).toEqual({
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': 3 },
    });
  });
});

describe('isConditionFailure', () => {
  it('recognises a failed condition by class or by name, and nothing else', () => {
    const typed = new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
    const named = Object.assign(new Error('no'), { name: 'ConditionalCheckFailedException' });
    expect(isConditionFailure(typed)).toBe(true);
    expect(isConditionFailure(named)).toBe(true);
    expect(isConditionFailure(new Error('ProvisionedThroughputExceededException'))).toBe(false);
    expect(isConditionFailure(undefined)).toBe(false);
  });
});
