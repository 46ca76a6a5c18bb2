import { describe, expect, it } from 'vitest';
import { type ConditionFacts, conditionSchema, evaluateCondition } from '#shared/domain/journey-conditions.ts';

const facts = (predictions?: ConditionFacts['predictions']): ConditionFacts => ({
  spendMilli: 0,
  orderCount: 2,
  pointsBalance: 0,
  ...(predictions ? { predictions } : {}),
});
const condition = (input: unknown) => conditionSchema.parse(input);

describe('journey conditions on predictions', () => {
  const atRisk = facts({ pAlive: 0.31, churnRisk: 'high', predictedValue12mMilli: 42_500 });

  it('pAlive holds within [min, max] and says where the customer stands', () => {
    expect(evaluateCondition(condition({ pAlive: { max: 0.5 } }), atRisk)).toEqual({ holds: true, reason: 'P(alive) 0.31 within 0..0.5' });
    expect(evaluateCondition(condition({ pAlive: { min: 0.5 } }), atRisk)).toEqual({ holds: false, reason: 'P(alive) 0.31 outside 0.5..1' });
  });

  it('churnRisk holds for a listed band', () => {
    expect(evaluateCondition(condition({ churnRisk: ['high', 'medium'] }), atRisk).holds).toBe(true);
    expect(evaluateCondition(condition({ churnRisk: ['low'] }), atRisk)).toEqual({ holds: false, reason: 'churn risk high not in low' });
  });

  it('predictedValue compares the 12-month value with decimal amounts', () => {
    expect(evaluateCondition(condition({ predictedValue: { min: '40.00' } }), atRisk).holds).toBe(true);
    expect(evaluateCondition(condition({ predictedValue: { min: '40.00', max: '42.49' } }), atRisk)).toEqual({
      holds: false,
      reason: 'predicted 12-month value 42.50 outside 40.00..42.49',
    });
  });

  it('fails, saying why, for a customer without predictions', () => {
    expect(evaluateCondition(condition({ churnRisk: ['high'] }), facts())).toEqual({
      holds: false,
      reason: 'no predictions yet (no purchase, or no model fitted)',
    });
  });

  it('refuses an unknown band or a probability outside 0..1, naming the field', () => {
    const band = conditionSchema.safeParse({ churnRisk: ['severe'] });
    expect(band.success).toBe(false);
    expect(band.error?.issues[0]?.path).toEqual(['churnRisk', 0]);
    const probability = conditionSchema.safeParse({ pAlive: { max: 1.5 } });
    expect(probability.error?.issues[0]?.path).toEqual(['pAlive', 'max']);
  });
});
