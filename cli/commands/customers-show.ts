// `loyalty customers show <cid>`: the profile, loyalty standing, lifecycle stage, segments and
// journeys of one customer — the profile item, the weekly segment thresholds and one Query on
// the customer's journey items; never a Scan.
import type { Command } from 'commander';
import { type CustomerPrediction, predictionAt } from '#shared/domain/customer-predictions.ts';
import { loadProgram } from '#shared/config/program-file.ts';
import type { JourneyState } from '#shared/domain/journey-state.ts';
import { formatMoney, type Milli } from '#shared/domain/money.ts';
import { programLocale, tierById, tierName } from '#shared/domain/loyalty-program.ts';
import { customerFactsReader } from '#shared/journeys/customer-facts.ts';
import type { CommandContext } from '../command-module.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { journeyStoryOf } from './campaigns-explain.ts';

function journeyLine(state: JourneyState, sends: number) {
  return {
    journeyId: state.journeyId,
    status: state.status,
    currentStep: state.currentStep,
    nextDueAt: state.nextDueAt,
    version: state.version,
    variant: state.variant,
    enteredAt: state.enteredAt,
    entries: state.entries,
    exitReason: state.exitReason,
    exitedAt: state.exitedAt,
    sends,
  };
}

async function customerCard(context: CommandContext, customerId: string) {
  const targets = await context.targets();
  const now = await context.now();
  const [facts, story] = await Promise.all([
    customerFactsReader({ doc: targets.doc, tableName: targets.tableName, clock: { now: () => now } })(
      customerId,
    ),
    journeyStoryOf(context, customerId),
  ]);
  if (!facts) throw new CliError(EXIT.notFound, `customer ${customerId} not found`);
  const program = loadProgram(process.env);
  const { profile, loyalty } = facts.stored;
  const locale = programLocale(program, profile.locale);
  const money = (milli: Milli | null | undefined) =>
    milli === null || milli === undefined ? null : formatMoney(milli, program.currency, locale);
  const named = (id: string | null | undefined) => {
    const tier = id ? tierById(program, id) : undefined;
    return tier ? tierName(program, tier, locale) : null;
  };
  return {
    customerId,
    profile: {
      email: profile.email ?? null,
      firstName: profile.firstName ?? null,
      lastName: profile.lastName ?? null,
      locale: profile.locale ?? null,
      timeZone: profile.timeZone ?? null,
      birthday: profile.birthday ?? null,
      marketingConsent: profile.consent.granted,
      attributes: profile.attributes ?? {},
      createdAt: profile.createdAt,
    },
    loyalty: loyalty
      ? {
          tier: loyalty.tier,
          tierName: named(loyalty.tier),
          tierSince: loyalty.tierSince,
          tierHeldUntil: loyalty.tierHeldUntil,
          points: loyalty.points,
          nextPointsExpiry: loyalty.nextPointsExpiry,
          rollingSpend: money(loyalty.rollingSpendMilli),
          nextTier: loyalty.nextTier,
          nextTierName: named(loyalty.nextTier),
          spendToNextTier: money(loyalty.spendToNextTierMilli),
        }
      : null,
    purchases: {
      orders: facts.condition.orderCount,
      lifetimeSpend: money(profile.purchases?.totalSpendMilli ?? 0),
      firstPurchaseAt: profile.purchases?.firstPurchaseAt ?? null,
      lastPurchaseAt: profile.purchases?.lastPurchaseAt ?? null,
    },
    lifecycleStage: facts.condition.lifecycleStage ?? null,
    segments: facts.condition.segments ?? [],
    predictions: predictionsOf(profile.predictions && predictionAt(profile.predictions, now), money),
    journeys: story.states.map((state) =>
      journeyLine(state, story.sends.filter((send) => send.journeyId === state.journeyId).length),
    ),
  };
}

/** P(alive) and the rest as of now (docs/predictions.md); null before the first fit. */
function predictionsOf(prediction: CustomerPrediction | undefined, money: (milli: Milli | undefined) => string | null) {
  if (!prediction) return null;
  return {
    asOf: prediction.asOf,
    fittedAt: prediction.fittedAt,
    pAlive: prediction.pAlive,
    churnRisk: prediction.churnRisk,
    expectedPurchases90d: prediction.expectedPurchases90d,
    predictedValue12m: money(prediction.predictedValue12mMilli),
    expectedNextPurchaseAt: prediction.expectedNextPurchaseAt ?? null,
    atRiskFrom: prediction.atRiskFrom ?? null,
  };
}

type Card = Awaited<ReturnType<typeof customerCard>>;

function renderCard(card: Card): string {
  const p = card.profile;
  const l = card.loyalty;
  const name = [p.firstName, p.lastName].filter(Boolean).join(' ') || '(no name)';
  return [
    `${card.customerId}  ${name} <${p.email ?? 'no address'}>  ${p.locale ?? '-'} ${p.timeZone ?? '-'}${p.birthday ? `  birthday ${p.birthday}` : ''}`,
    `  marketing consent: ${p.marketingConsent ? 'yes' : 'no'} · customer since ${p.createdAt}`,
    l
      ? `  ${l.tierName ?? l.tier} (${l.tier}) · ${l.points} points · spend ${l.rollingSpend} in 365 days${l.nextTier ? ` · ${l.spendToNextTier} to ${l.nextTierName ?? l.nextTier}` : ' · top tier'}${l.tierHeldUntil ? ` · held until ${l.tierHeldUntil}` : ''}`
      : '  no loyalty standing yet (no purchase recorded)',
    `  ${card.purchases.orders} order(s), ${card.purchases.lifetimeSpend} lifetime${card.purchases.lastPurchaseAt ? `, last ${card.purchases.lastPurchaseAt}` : ''}`,
    `  lifecycle: ${card.lifecycleStage ?? '-'} · segments: ${card.segments.join(', ') || '-'}`,
    card.predictions
      ? `  predicted: P(alive) ${card.predictions.pAlive.toFixed(2)} (${card.predictions.churnRisk} churn risk) · ${card.predictions.expectedPurchases90d.toFixed(1)} purchase(s) in 90 days · 12-month value ${card.predictions.predictedValue12m ?? '-'}${card.predictions.expectedNextPurchaseAt ? ` · next purchase ~${card.predictions.expectedNextPurchaseAt.slice(0, 10)}` : ''}${card.predictions.atRiskFrom ? ` · at risk from ${card.predictions.atRiskFrom.slice(0, 10)}` : ''} (model of ${card.predictions.fittedAt.slice(0, 10)})`
      : '  predicted: - (no fit yet, or no purchase)',
    '',
    card.journeys.length ? 'Journeys' : 'Journeys: none entered',
    ...card.journeys.map(
      (j) =>
        `  ${j.journeyId.padEnd(22)} ${j.status === 'active' ? `at ${j.currentStep ?? '?'}${j.nextDueAt ? ` until ${j.nextDueAt}` : ''}` : `exited (${j.exitReason ?? '?'}) ${j.exitedAt ?? ''}`} · v${j.version}${j.variant ? ` · variant ${j.variant}` : ''} · ${j.sends} send(s)`,
    ),
  ].join('\n');
}

export function registerCustomerShow(customers: Command, context: CommandContext): void {
  customers
    .command('show')
    .description('one customer: profile, loyalty standing, lifecycle stage, segments and journeys')
    .argument('<customer>')
    .action(async (customerId: string) => {
      context.out().result(await customerCard(context, customerId), renderCard);
    });
}
