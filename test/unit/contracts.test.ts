import { describe, expect, it } from 'vitest';
import { customerUpsertedDetail } from '#shared/events/contracts.ts';

const customer = (timeZone: string) => ({ customerId: 'c', email: 'c@example.com', marketingConsent: true, timeZone });

describe('customer time zones', () => {
  it.each(['Asia/Shanghai', 'America/New_York', 'Pacific/Kiritimati', 'Asia/Kolkata', 'Europe/Kyiv', 'UTC'])(
    'accepts %s, including IANA aliases that Intl does not list as canonical',
    (zone) => {
      expect(customerUpsertedDetail.safeParse(customer(zone)).success).toBe(true);
    },
  );

  it.each(['Mars/Olympus', 'Asia/Shanghai ', '+08:00', ''])('refuses %j', (zone) => {
    expect(customerUpsertedDetail.safeParse(customer(zone)).success).toBe(false);
  });
});
