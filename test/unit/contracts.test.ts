import { describe, expect, it } from 'vitest';
import { customerUpsertedDetail } from '#shared/events/contracts.ts';
import { journeyArmingRequestedDetail } from '#shared/events/emitted.ts';

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

describe('Journey Arming Requested (internal)', () => {
  const request = { journeyId: 'birthday', version: 3, requestedAt: '2027-03-01T00:00:00.000Z', requestedBy: 'ana@shop.example' };

  it('is a request, or one page of one scan segment with the cursor it starts from', () => {
    expect(journeyArmingRequestedDetail.parse(request)).toEqual(request);
    const page = { segment: 3, of: 4, number: 7, cursor: { PK: 'CUSTOMER#c-9', SK: 'PROFILE' } };
    expect(journeyArmingRequestedDetail.parse({ ...request, page })).toEqual({ ...request, page });
  });

  it('names the field of a page outside its segments or a cursor that is not a key', () => {
    const outside = journeyArmingRequestedDetail.safeParse({ ...request, page: { segment: 4, of: 4, number: 0 } });
    expect(outside.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['page.segment']);
    const cursor = journeyArmingRequestedDetail.safeParse({ ...request, page: { segment: 0, of: 4, number: 1, cursor: { PK: 1 } } });
    expect(cursor.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['page.cursor.PK']);
  });
});
