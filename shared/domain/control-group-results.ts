// Is the lifecycle programme worth it? The global control group (no marketing journey at all)
// against everyone else, month by month and over the whole period: purchase rate, revenue per
// customer and retention, each difference with a 95% interval. Pure: customers and their orders in.
import { type ControlGroupSettings, inGlobalControlGroup } from './global-control-group.ts';
import type { Milli } from './money.ts';
import { type RevenueUplift, revenueUplift, type UpliftEstimate, upliftEstimate } from './uplift.ts';

export interface GroupCustomer {
  customerId: string;
  signedUpAt: string;
  orders: readonly { at: string; amountMilli: Milli }[];
}

export interface GroupFigures {
  /** Customers known by the window's end. */
  customers: number;
  /** Of them, customers with an order in the window. */
  purchasers: number;
  orders: number;
  revenueMilli: Milli;
  revenuePerCustomerMilli: Milli | null;
  /** Customers who bought in the equally long window just before (the retention base) ... */
  activeAtStart: number;
  /** ... and of those, the ones who bought again in this window. */
  retained: number;
}

export interface GroupComparison {
  /** "2026-03" for a month, "period" for the whole report period. */
  window: string;
  from: string;
  to: string;
  control: GroupFigures;
  everyoneElse: GroupFigures;
  /** Purchase rate, everyone else minus control (treatment = marketed), Newcombe 95%. */
  purchaseRate: UpliftEstimate | undefined;
  /** Retention rate, everyone else minus control, Newcombe 95%. */
  retention: UpliftEstimate | undefined;
  /** Revenue per customer, everyone else minus control (milli), Welch normal 95% interval. */
  revenuePerCustomer: RevenueUplift | undefined;
}

export interface ControlGroupSection {
  percent: number;
  /** Customers held out by the global control group (of all customers known by the period end). */
  members: number;
  customers: number;
  months: GroupComparison[];
  period: GroupComparison;
}

/** The calendar months (UTC) overlapping [from, to), each clipped to the period. */
export function monthWindows(from: Date, to: Date): { window: string; from: Date; to: Date }[] {
  const windows = [];
  let start = from;
  while (start < to) {
    const next = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    const end = next < to ? next : to;
    windows.push({ window: start.toISOString().slice(0, 7), from: start, to: end });
    start = end;
  }
  return windows;
}

function figures(customers: readonly GroupCustomer[], from: number, to: number): GroupFigures & { perCustomer: number[] } {
  const before = from - (to - from);
  const known = customers.filter((c) => Date.parse(c.signedUpAt) < to);
  let purchasers = 0;
  let orders = 0;
  let activeAtStart = 0;
  let retained = 0;
  const perCustomer: number[] = [];
  for (const customer of known) {
    const times = customer.orders.map((o) => Date.parse(o.at));
    const inWindow = customer.orders.filter((_, i) => times[i]! >= from && times[i]! < to);
    const bought = inWindow.length > 0;
    const wasActive = times.some((t) => t >= before && t < from);
    if (bought) purchasers++;
    if (wasActive) activeAtStart++;
    if (wasActive && bought) retained++;
    orders += inWindow.length;
    perCustomer.push(inWindow.reduce((sum, o) => sum + o.amountMilli, 0));
  }
  const revenueMilli = perCustomer.reduce((a, b) => a + b, 0);
  return {
    customers: known.length,
    purchasers,
    orders,
    revenueMilli,
    revenuePerCustomerMilli: known.length ? Math.round(revenueMilli / known.length) : null,
    activeAtStart,
    retained,
    perCustomer,
  };
}


function compare(window: string, control: readonly GroupCustomer[], others: readonly GroupCustomer[], from: Date, to: Date): GroupComparison {
  const { perCustomer: c, ...controlFigures } = figures(control, from.getTime(), to.getTime());
  const { perCustomer: e, ...otherFigures } = figures(others, from.getTime(), to.getTime());
  return {
    window,
    from: from.toISOString(),
    to: to.toISOString(),
    control: controlFigures,
    everyoneElse: otherFigures,
    purchaseRate: upliftEstimate(
      { converted: otherFigures.purchasers, n: otherFigures.customers },
      { converted: controlFigures.purchasers, n: controlFigures.customers },
    ),
    retention: upliftEstimate(
      { converted: otherFigures.retained, n: otherFigures.activeAtStart },
      { converted: controlFigures.retained, n: controlFigures.activeAtStart },
    ),
    revenuePerCustomer: revenueUplift(e, c),
  };
}

/** The section, or undefined when the group is off (percent 0). */
export function controlGroupResults(
  customers: readonly GroupCustomer[],
  settings: ControlGroupSettings,
  period: { from: Date; to: Date },
): ControlGroupSection | undefined {
  if (settings.percent <= 0) return undefined;
  const control: GroupCustomer[] = [];
  const others: GroupCustomer[] = [];
  for (const customer of customers) (inGlobalControlGroup(customer.customerId, settings) ? control : others).push(customer);
  const known = (group: readonly GroupCustomer[]) =>
    group.filter((c) => Date.parse(c.signedUpAt) < period.to.getTime()).length;
  return {
    percent: settings.percent,
    members: known(control),
    customers: known(control) + known(others),
    months: monthWindows(period.from, period.to).map((m) => compare(m.window, control, others, m.from, m.to)),
    period: compare('period', control, others, period.from, period.to),
  };
}
