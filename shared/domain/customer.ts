// The customer profile and how an upsert event merges into it. Profile fields follow the newest
// upsert — by the shop's `updatedAt` when it sends one, then event time, then event id — so
// out-of-order delivery converges; consent is versioned on its own clock because unsubscribes
// can also change it.
import type { CustomerUpserted } from '../events/contracts.ts';
import type { CustomerPrediction } from './customer-predictions.ts';
import type { PurchaseAggregates } from './purchase-history.ts';

export interface ConsentState {
  granted: boolean;
  /** When the decision was made (event time or unsubscribe time). */
  at: string;
  source: string;
}

export interface CustomerProfile {
  customerId: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  locale?: string;
  timeZone?: string;
  birthday?: string;
  /** When a stored birthday last changed to another date (not its first setting at signup). */
  birthdayChangedAt?: string;
  attributes?: Record<string, string>;
  consent: ConsentState;
  /** Version of the profile fields: the event that last set them (and its `updatedAt`, if any). */
  profileUpdatedAt?: string;
  profileEventAt?: string;
  profileEventId?: string;
  purchases?: PurchaseAggregates;
  /** Kept by shared/flows/predictions.ts (its own conditional writes). */
  predictions?: CustomerPrediction;
  createdAt: string;
}

export interface UpsertEventMeta {
  eventId: string;
  eventAt: string;
  /** The shop's own change time (millisecond precision), when the event carries one. */
  updatedAt?: string | undefined;
}

/** A purchase for a customer we have not met creates this, so the purchase is never lost. */
export function minimalProfile(customerId: string, now: Date): CustomerProfile {
  return {
    customerId,
    consent: { granted: false, at: new Date(0).toISOString(), source: 'unknown' },
    createdAt: now.toISOString(),
  };
}

/** When the upsert's change happened: the shop's updatedAt, else the (whole-second) event time. */
function changedAt(meta: UpsertEventMeta): string {
  return meta.updatedAt ?? meta.eventAt;
}

function isNewer(meta: UpsertEventMeta, current: CustomerProfile): boolean {
  if (current.profileEventAt === undefined) return true;
  const order = [
    Date.parse(changedAt(meta)) - Date.parse(current.profileUpdatedAt ?? current.profileEventAt),
    Date.parse(meta.eventAt) - Date.parse(current.profileEventAt),
  ].find((difference) => difference !== 0);
  return order === undefined ? meta.eventId > (current.profileEventId ?? '') : order > 0;
}

/**
 * The profile after an upsert, or `undefined` when the event is older than what we hold (a
 * redelivery or a late arrival) and changes nothing.
 */
export function mergeCustomerUpsert(
  current: CustomerProfile,
  event: CustomerUpserted,
  meta: UpsertEventMeta,
): CustomerProfile | undefined {
  const fieldsNewer = isNewer(meta, current);
  const consentNewer = Date.parse(changedAt(meta)) > Date.parse(current.consent.at);
  if (!fieldsNewer && !consentNewer) return undefined;
  const next: CustomerProfile = { ...current };
  if (fieldsNewer) {
    // An upsert carries the whole profile: an optional field it omits is cleared.
    next.email = event.email;
    next.firstName = event.firstName;
    next.lastName = event.lastName;
    next.locale = event.locale;
    next.timeZone = event.timeZone;
    next.birthday = event.birthday;
    // A birthday moved (or added) after we first met the customer: offers keyed on it may wait.
    if (current.profileEventAt !== undefined && event.birthday !== undefined && event.birthday !== current.birthday)
      next.birthdayChangedAt = changedAt(meta);
    next.attributes = event.attributes;
    next.profileUpdatedAt = meta.updatedAt;
    next.profileEventAt = meta.eventAt;
    next.profileEventId = meta.eventId;
  }
  if (consentNewer && current.consent.granted !== event.marketingConsent) {
    next.consent = { granted: event.marketingConsent, at: changedAt(meta), source: 'Customer Upserted' };
  } else if (consentNewer) {
    next.consent = { ...current.consent, at: changedAt(meta) };
  }
  return next;
}

/** One email address, whatever its case or surrounding spaces (false when either is missing). */
export function sameAddress(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}
