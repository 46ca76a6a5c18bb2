import { describe, expect, it } from 'vitest';
import {
  type CustomerFacts,
  cohortOf,
  cohortRetentionCurve,
  netPromoterScore,
  programMetrics,
  tierAt,
} from '#shared/domain/metrics.ts';

// A hand-built population with every metric worked out on paper (see the comments).
const order = (at: string, units: number, coupon = false) => ({
  at: `${at}T12:00:00.000Z`,
  amountMilli: units * 1000,
  coupon,
});
const survey = (at: string, score: number) => ({ at: `${at}T12:00:00.000Z`, score });
const customer = (id: string, signedUp: string, facts: Partial<CustomerFacts>): CustomerFacts => ({
  customerId: id,
  signedUpAt: `${signedUp}T00:00:00.000Z`,
  orders: [],
  surveys: [],
  tier: undefined,
  tierChanges: [],
  ...facts,
});

const population: CustomerFacts[] = [
  customer('A', '2026-01-01', {
    orders: [order('2026-01-10', 100, true), order('2026-04-10', 200), order('2026-05-10', 300)],
    surveys: [survey('2026-05-01', 10)],
    tier: 'Silver',
    tierChanges: [{ at: '2026-05-10T12:00:00.000Z', from: 'Bronze', to: 'Silver' }],
  }),
  customer('B', '2026-01-01', {
    orders: [order('2026-02-01', 50)],
    surveys: [survey('2026-04-15', 3)],
    tier: 'Bronze',
  }),
  customer('C', '2026-02-01', {
    orders: [order('2026-02-15', 80), order('2026-06-01', 120)],
    surveys: [survey('2026-06-20', 8), survey('2026-04-05', 2)],
    tier: 'Gold',
    tierChanges: [{ at: '2026-02-15T12:00:00.000Z', from: 'Bronze', to: 'Gold' }],
  }),
  customer('D', '2026-04-01', { orders: [order('2026-04-20', 60)], tier: 'Bronze' }),
  customer('E', '2026-05-01', { surveys: [survey('2026-05-05', 9)] }),
  customer('F', '2026-08-01', { orders: [order('2026-08-02', 999)], tier: 'Bronze' }),
];

const q2 = { from: new Date('2026-04-01T00:00:00Z'), to: new Date('2026-07-01T00:00:00Z') };

describe('program metrics on a known population (Q2 2026)', () => {
  const metrics = programMetrics(population, q2);

  it('counts customers signed up before the period end (F joined later)', () => {
    expect(metrics.customers).toBe(5);
  });

  it('retention = bought in Q1 and again in Q2 / bought in Q1 = 2/3 (A, C of A, B, C); churn = 1/3', () => {
    expect(metrics.activeAtStart).toBe(3);
    expect(metrics.retained).toBe(2);
    expect(metrics.retentionRate).toBeCloseTo(2 / 3, 12);
    expect(metrics.churnRate).toBeCloseTo(1 / 3, 12);
  });

  it('orders 4, purchasers 3, revenue 680, repeat purchase rate 1/3 (only A bought twice)', () => {
    expect(metrics.orders).toBe(4);
    expect(metrics.purchasers).toBe(3);
    expect(metrics.revenueMilli).toBe(680_000);
    expect(metrics.repeatPurchaseRate).toBeCloseTo(1 / 3, 12);
  });

  it('AOV = 680 / 4 = 170 and purchase frequency = 4 / 3', () => {
    expect(metrics.averageOrderValueMilli).toBe(170_000);
    expect(metrics.purchaseFrequency).toBeCloseTo(4 / 3, 12);
  });

  it('historical CLV = (600 + 50 + 200 + 60) / 4 = 227.5', () => {
    expect(metrics.historicalClvMilli).toBe(227_500);
  });

  it('predictive CLV = AOV 170 × frequency 4/3 × lifetime 1/churn = 3 periods = 680', () => {
    expect(metrics.expectedLifetimePeriods).toBeCloseTo(3, 12);
    expect(metrics.predictiveClvMilli).toBe(680_000);
  });

  it('NPS uses each customer latest answer in the period: 2 promoters, 1 passive, 1 detractor = +25', () => {
    expect(metrics.nps).toEqual({ responses: 4, promoters: 2, passives: 1, detractors: 1, score: 25 });
  });

  it('tier distribution at the period end and migration from its start', () => {
    expect(metrics.tierDistribution).toEqual({ Silver: 1, Bronze: 2, Gold: 1 });
    expect(metrics.tierMigration).toEqual([
      { from: 'Bronze', to: 'Bronze', customers: 2 },
      { from: 'Bronze', to: 'Silver', customers: 1 },
      { from: 'Gold', to: 'Gold', customers: 1 },
    ]);
  });
});

describe('metrics for a cohort', () => {
  it('restricts every metric to customers whose first purchase was in that month', () => {
    expect(population.map(cohortOf)).toEqual([
      '2026-01',
      '2026-02',
      '2026-02',
      '2026-04',
      undefined,
      '2026-08',
    ]);
    const february = programMetrics(population, q2, { cohort: '2026-02' });
    expect(february.customers).toBe(2);
    expect(february.retentionRate).toBe(0.5);
    expect(february.revenueMilli).toBe(120_000);
    expect(february.historicalClvMilli).toBe(125_000);
  });

  it('draws the retention curve month by month (month 0 = 100%)', () => {
    expect(cohortRetentionCurve(population, '2026-02', new Date('2026-07-01T00:00:00Z'))).toEqual([
      { month: 0, rate: 1 },
      { month: 1, rate: 0 },
      { month: 2, rate: 0 },
      { month: 3, rate: 0 },
      { month: 4, rate: 0.5 },
      { month: 5, rate: 0 },
    ]);
  });
});

describe('metric edge cases', () => {
  it('reports null rates, not zero or NaN, when nothing happened', () => {
    const empty = programMetrics([], q2);
    expect(empty.retentionRate).toBeNull();
    expect(empty.averageOrderValueMilli).toBeNull();
    expect(empty.predictiveClvMilli).toBeNull();
    expect(empty.nps.score).toBeNull();
  });

  it('caps the expected lifetime when nobody churned', () => {
    const loyal = [
      customer('X', '2026-01-01', { orders: [order('2026-03-01', 10), order('2026-05-01', 10)] }),
    ];
    const metrics = programMetrics(loyal, q2, { maxLifetimePeriods: 8 });
    expect(metrics.churnRate).toBe(0);
    expect(metrics.predictiveClvMilli).toBe(80_000);
  });

  it('replays the tier held at an instant from the changes', () => {
    const c = population[2] as CustomerFacts;
    expect(tierAt(c, new Date('2026-01-01T00:00:00Z'))).toBe('Bronze');
    expect(tierAt(c, new Date('2026-03-01T00:00:00Z'))).toBe('Gold');
    expect(netPromoterScore(population, { from: new Date('2026-06-01T00:00:00Z'), to: q2.to }).score).toBe(0);
  });
});
