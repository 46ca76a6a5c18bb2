// The marketing frequency cap: at most N marketing emails per customer per rolling window. The
// customer's recent sends are kept on one item keyed by send-ledger reference, so counting the
// same send twice (a retry, a duplicate delivery) is impossible.

export interface FrequencyCap {
  maxSends: number;
  windowMs: number;
  /** Cap classes that neither count nor are counted (e.g. tier-upgrade by program choice). */
  exempt: ReadonlySet<string>;
}

export const DEFAULT_FREQUENCY_CAP: FrequencyCap = {
  maxSends: 2,
  windowMs: 7 * 86_400_000,
  exempt: new Set(),
};

/** ledger reference -> ISO instant the send was reserved. */
export type RecentSends = Record<string, string>;

export type CapDecision = { allowed: true; recent: RecentSends } | { allowed: false; freesAt: Date };

/**
 * Whether `ref` may be sent at `now`, and the pruned list including it if so. A reference that
 * already holds a slot keeps it (idempotent).
 */
export function reserveCapSlot(recent: RecentSends, ref: string, now: Date, cap: FrequencyCap): CapDecision {
  const since = now.getTime() - cap.windowMs;
  const inWindow = Object.entries(recent).filter(([, at]) => Date.parse(at) > since);
  if (inWindow.some(([existing]) => existing === ref))
    return { allowed: true, recent: Object.fromEntries(inWindow) };
  if (inWindow.length < cap.maxSends) {
    return { allowed: true, recent: { ...Object.fromEntries(inWindow), [ref]: now.toISOString() } };
  }
  // The slot frees when enough of the oldest sends leave the window.
  const times = inWindow.map(([, at]) => Date.parse(at)).sort((a, b) => a - b);
  const mustExpire = inWindow.length - cap.maxSends; // index of the send whose expiry frees a slot
  return { allowed: false, freesAt: new Date((times[mustExpire] as number) + cap.windowMs + 1000) };
}
