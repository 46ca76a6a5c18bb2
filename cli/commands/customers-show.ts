// `loyalty customers show <cid>`: the customer card (shared/flows/customer-card.ts, the same one
// the console's customer page shows) as text or JSON — reads by key only, never a Scan; and
// `loyalty customers resubscribe <cid> --note <why>`: the operator's re-subscribe, audited.
import type { Command } from 'commander';
import { loadProgram } from '#shared/config/program-file.ts';
import { type CustomerCard, CustomerCards, CustomerNotFoundError } from '#shared/flows/customer-card.ts';
import { JourneyCatalogue } from '#shared/store/journeys.ts';
import type { CommandContext } from '../command-module.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { operator } from '../operator.ts';

async function customerCards(context: CommandContext): Promise<CustomerCards> {
  const targets = await context.targets();
  const now = await context.now();
  const clock = { now: () => now };
  return new CustomerCards({
    doc: targets.doc,
    tableName: targets.tableName,
    clock,
    program: loadProgram(process.env),
    catalogue: new JourneyCatalogue(targets.doc, targets.tableName, clock),
  });
}

async function customerCard(context: CommandContext, customerId: string): Promise<CustomerCard> {
  const card = await (await customerCards(context)).card(customerId);
  if (!card) throw new CliError(EXIT.notFound, `customer ${customerId} not found`);
  return card;
}

type Card = CustomerCard;

function renderCard(card: Card): string {
  const p = card.profile;
  const l = card.loyalty;
  const name = [p.firstName, p.lastName].filter(Boolean).join(' ') || '(no name)';
  return [
    `${card.customerId}  ${name} <${p.email ?? 'no address'}>  ${p.locale ?? '-'} ${p.timeZone ?? '-'}${p.birthday ? `  birthday ${p.birthday}` : ''}`,
    `  marketing consent: ${card.consent.granted ? 'yes' : 'no'}${card.consent.optOut ? ` · opted out ${card.consent.optOut.at}` : ''}${card.consent.suppressed ? ` · address suppressed (${card.consent.suppressed.reason})` : ''} · customer since ${p.createdAt}`,
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
    ...card.journeys.map((j) => {
      const run = j.run;
      const where = j.status === 'active' ? `at ${run?.currentStep ?? '?'}${run?.nextDueAt ? ` until ${run.nextDueAt}` : ''}` : `exited (${run?.exitReason ?? '?'}) ${run?.exitedAt ?? ''}`;
      return `  ${j.journeyId.padEnd(22)} ${where} · v${run?.version ?? '?'}${run?.variant ? ` · variant ${run.variant}` : ''} · ${j.sends.length} send(s)`;
    }),
    '',
    card.emails.length ? 'Emails' : 'Emails: none',
    ...card.emails.map((e) => `  ${e.at.slice(0, 16).replace('T', ' ')}  ${e.id}${e.step ? `/${e.step}` : ''}  ${e.outcome}${e.reason ? ` (${e.reason})` : ''}`),
    ...(card.audits.length ? ['', 'Operator changes', ...card.audits.map((a) => `  ${a.at}  ${a.action} by ${a.by}: ${a.why}`)] : []),
  ].join('\n');
}

export function registerCustomerShow(customers: Command, context: CommandContext): void {
  customers
    .command('show')
    .description('one customer: profile, consent, loyalty standing, segments, predictions, journeys (explain), emails, operator changes')
    .argument('<customer>')
    .action(async (customerId: string) => {
      context.out().result(await customerCard(context, customerId), renderCard);
    });
}

export function registerCustomerResubscribe(customers: Command, context: CommandContext): void {
  customers
    .command('resubscribe')
    .description('grant marketing consent again after an opt-out (operator change, audited with who and why)')
    .argument('<customer>')
    .requiredOption('--note <why>', 'why, e.g. the support ticket (kept in the audit record)')
    .action(async (customerId: string, options: { note: string }) => {
      const why = options.note.trim();
      if (why.length < 3) throw new CliError(EXIT.usage, `--note: ${JSON.stringify(options.note)} must say why (at least 3 characters)`);
      const by = operator();
      try {
        await (await customerCards(context)).resubscribe(customerId, by, why);
      } catch (error) {
        if (error instanceof CustomerNotFoundError) throw new CliError(EXIT.notFound, error.message);
        throw error;
      }
      context.out().result({ customerId, resubscribed: true, by, why }, () => `${customerId} re-subscribed by ${by}: ${why} (audited)`);
    });
}
