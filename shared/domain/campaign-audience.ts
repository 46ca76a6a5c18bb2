// Whether a customer is in a campaign's audience. Pure: the caller supplies the customer facts.
import type { Audience } from './campaign.ts';
import { decimalToMilli, type Milli } from './money.ts';

/** Campaign amounts are validated decimal text, so this never falls back in practice. */
const milliOf = (amount: string): Milli => decimalToMilli(amount) ?? 0;

export interface AudienceFacts {
  tier?: string | undefined;
  lifecycleStage?: string | undefined;
  segments?: readonly string[] | undefined;
  locale?: string | undefined;
  /** Net spend of the last 365 days (the tier window), milli-units. */
  spendMilli: Milli;
  orderCount: number;
  attributes?: Readonly<Record<string, string>> | undefined;
}

export type AudienceVerdict = { in: true } | { in: false; because: string };

export function audienceVerdict(audience: Audience, facts: AudienceFacts): AudienceVerdict {
  const out = (because: string): AudienceVerdict => ({ in: false, because });
  if (audience.tiers && !audience.tiers.includes(facts.tier ?? ''))
    return out(`tier ${facts.tier ?? 'none'} not in ${audience.tiers.join(', ')}`);
  if (audience.lifecycleStages && !audience.lifecycleStages.includes(facts.lifecycleStage ?? '')) {
    return out(
      `lifecycle stage ${facts.lifecycleStage ?? 'unknown'} not in ${audience.lifecycleStages.join(', ')}`,
    );
  }
  if (audience.segments && !audience.segments.some((segment) => facts.segments?.includes(segment))) {
    return out(`in none of the segments ${audience.segments.join(', ')}`);
  }
  if (
    audience.locales &&
    !audience.locales.some((locale) => facts.locale === locale || facts.locale?.split('-')[0] === locale)
  ) {
    return out(`locale ${facts.locale ?? 'none'} not in ${audience.locales.join(', ')}`);
  }
  if (audience.minSpend !== undefined && facts.spendMilli < milliOf(audience.minSpend))
    return out(`spend below ${audience.minSpend}`);
  if (audience.maxSpend !== undefined && facts.spendMilli > milliOf(audience.maxSpend))
    return out(`spend above ${audience.maxSpend}`);
  if (audience.minOrders !== undefined && facts.orderCount < audience.minOrders)
    return out(`fewer than ${audience.minOrders} orders`);
  if (audience.maxOrders !== undefined && facts.orderCount > audience.maxOrders)
    return out(`more than ${audience.maxOrders} orders`);
  for (const [name, value] of Object.entries(audience.attributes ?? {})) {
    if (facts.attributes?.[name] !== value) return out(`attribute ${name} is not ${value}`);
  }
  return { in: true };
}
