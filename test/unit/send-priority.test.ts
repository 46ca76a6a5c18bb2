import { describe, expect, it } from 'vitest';
import { priorityPredecessors } from '#shared/domain/send-priority.ts';

describe('priority turns in a sender batch', () => {
  it("chains one customer's requests highest priority first, batch order breaking ties, default 5", () => {
    const order = priorityPredecessors([
      { id: 'low', customerId: 'ada', priority: 9 },
      { id: 'default', customerId: 'ada', priority: undefined },
      { id: 'high', customerId: 'ada', priority: 1 },
      { id: 'also-default', customerId: 'ada', priority: 5 },
    ]);
    expect(Object.fromEntries(order)).toEqual({
      high: undefined,
      default: 'high',
      'also-default': 'default',
      low: 'also-default',
    });
  });

  it('lets different customers and unreadable records start at once', () => {
    const order = priorityPredecessors([
      { id: 'a', customerId: 'ada', priority: 9 },
      { id: 'b', customerId: 'bob', priority: 1 },
      { id: 'x', customerId: undefined, priority: 1 },
    ]);
    expect(Object.fromEntries(order)).toEqual({ a: undefined, b: undefined, x: undefined });
  });
});
