// The README walkthrough as a test: a marketer adds a "first-purchase anniversary" campaign by
// writing ONE YAML file and its templates, validates, previews and publishes it with the CLI, and
// sees it fire in the local runtime a year after the customer's first purchase.
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { loyalty } from './cli-support.ts';

const ANNIVERSARY_YAML = `# One year since the first order: a thank-you with a tier-based gift.
id: first-purchase-anniversary
name: First-purchase anniversary
enabled: true
trigger:
  on: first-purchase-anniversary
send:
  hour: 10
  defaultTimeZone: America/New_York
offer:
  kind: amount-off
  codePrefix: THANKS
  valueByTier: { Bronze: "5.00", Silver: "10.00", Gold: "15.00", Platinum: "25.00" }
  expiresAfterDays: 14
holdoutPercent: 0
templates:
  name: first-purchase-anniversary
  locales: [en-US, zh-CN]
  sample:
    years: 1
    firstPurchaseAt: "2026-01-15T10:00:00.000Z"
    tier: Silver
    offer: { kind: amount-off, code: THANKS-1A2B3C4D, value: 10000, percentOff: null, freeShipping: false, tier: Silver, expiresAt: "2027-01-29T15:00:00.000Z" }
`;

const ANNIVERSARY_TEMPLATES: Record<string, Record<string, string>> = {
  'en-US': {
    'subject.liquid':
      '{{ years }} year{% if years != 1 %}s{% endif %} together{% if customer.firstName %}, {{ customer.firstName }}{% endif %}: a gift of {{ offer.value | money }}',
    'html.liquid': `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="margin:0;background:#f4f1ed;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" style="max-width:600px;width:100%;background:#fff;border-radius:12px;">
<tr><td style="padding:32px;background:#1f4e5f;color:#fff;border-radius:12px 12px 0 0;"><h1 style="margin:0;font-size:26px;">Happy anniversary{% if customer.firstName %}, {{ customer.firstName }}{% endif %}!</h1></td></tr>
<tr><td style="padding:24px 32px;font-size:16px;line-height:1.6;color:#1f2328;">
<p>Your first order with us was on {{ firstPurchaseAt | date: "long" }}. Thank you for {{ years }} year{% if years != 1 %}s{% endif %}!</p>
<p style="font-size:22px;font-weight:700;letter-spacing:2px;">{{ offer.code }}</p>
<p>{{ offer.value | money }} off your next order, valid until {{ offer.expiresAt | date: "long" }}.</p>
</td></tr></table></td></tr></table></body></html>
`,
    'text.liquid': `Happy anniversary{% if customer.firstName %}, {{ customer.firstName }}{% endif %}!
Your first order with us was on {{ firstPurchaseAt | date: "long" }}. Thank you for {{ years }} year{% if years != 1 %}s{% endif %}!
Your code {{ offer.code }}: {{ offer.value | money }} off, valid until {{ offer.expiresAt | date: "long" }}.
`,
  },
  'zh-CN': {
    'subject.liquid':
      '相伴{{ years }}周年{% if customer.firstName %}，{{ customer.firstName }}{% endif %}：送您 {{ offer.value | money }} 礼券',
    'html.liquid': `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="margin:0;background:#f4f1ed;font-family:'PingFang SC','Microsoft YaHei',sans-serif;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" style="max-width:600px;width:100%;background:#fff;border-radius:12px;">
<tr><td style="padding:32px;background:#1f4e5f;color:#fff;border-radius:12px 12px 0 0;"><h1 style="margin:0;font-size:26px;">{% if customer.firstName %}{{ customer.firstName }}，{% endif %}感谢相伴{{ years }}周年！</h1></td></tr>
<tr><td style="padding:24px 32px;font-size:16px;line-height:1.8;color:#1f2328;">
<p>您的第一笔订单是在 {{ firstPurchaseAt | date: "long" }}。</p>
<p style="font-size:22px;font-weight:700;letter-spacing:2px;">{{ offer.code }}</p>
<p>下单立减 {{ offer.value | money }}，有效期至 {{ offer.expiresAt | date: "long" }}。</p>
</td></tr></table></td></tr></table></body></html>
`,
    'text.liquid': `{% if customer.firstName %}{{ customer.firstName }}，{% endif %}感谢相伴{{ years }}周年！
您的第一笔订单是在 {{ firstPurchaseAt | date: "long" }}。
礼券代码 {{ offer.code }}：下单立减 {{ offer.value | money }}，有效期至 {{ offer.expiresAt | date: "long" }}。
`,
  },
};

let local: LocalRuntime;
let campaignsDir: string;

beforeAll(async () => {
  // A copy of the shipped campaigns/ folder stands in for the marketer's checkout.
  const root = await mkdtemp(path.join(tmpdir(), 'walkthrough-'));
  campaignsDir = path.join(root, 'campaigns');
  await cp(path.resolve('campaigns'), campaignsDir, { recursive: true });
  local = await startLocal({
    now: '2026-01-15T12:00:00Z',
    ports: 'random',
    env: { CAMPAIGNS_DIR: campaignsDir },
  });
}, 60_000);
afterAll(() => local?.stop());

const cli = (args: string[]) => loyalty(local, args, path.dirname(campaignsDir));

describe('walkthrough: a first-purchase anniversary campaign from one YAML file and its templates', () => {
  it('is written, validated, previewed, published, and fires a year after the first purchase', async () => {
    // 1. Write the campaign file and its templates.
    await writeFile(path.join(campaignsDir, 'first-purchase-anniversary.yaml'), ANNIVERSARY_YAML);
    for (const [locale, files] of Object.entries(ANNIVERSARY_TEMPLATES)) {
      const folder = path.join(campaignsDir, 'templates', 'first-purchase-anniversary', locale);
      await mkdir(folder, { recursive: true });
      for (const [name, body] of Object.entries(files)) await writeFile(path.join(folder, name), body);
    }

    // 2. Validate: a typo is caught with file, line and field; the fixed file passes.
    const file = 'campaigns/first-purchase-anniversary.yaml';
    await writeFile(
      path.join(campaignsDir, 'first-purchase-anniversary.yaml'),
      ANNIVERSARY_YAML.replace('hour: 10', 'hour: 10\n  hours: 11'),
    );
    const typo = await cli(['legacy-campaigns', 'validate', file]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain(
      'campaigns/first-purchase-anniversary.yaml:9: send.hours: is not a campaign field',
    );
    await writeFile(path.join(campaignsDir, 'first-purchase-anniversary.yaml'), ANNIVERSARY_YAML);
    const valid = await cli(['legacy-campaigns', 'validate']);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain('✓ first-purchase-anniversary');

    // 3. A customer and their first purchase arrive (publishing first arms the timer on purchase).
    const published = await cli(['--json', 'legacy-campaigns', 'publish', file]);
    expect(published.json()).toEqual([
      { id: 'first-purchase-anniversary', kind: 'published', version: 1, previous: 0 },
    ]);
    local.putEvents([
      customerEvent({
        customerId: 'anna',
        email: 'anna@example.com',
        firstName: 'Anna',
        locale: 'en-US',
        timeZone: 'Europe/Berlin',
        birthday: '07-01',
      }),
      customerEvent({
        customerId: 'wei',
        email: 'wei@example.com',
        firstName: '伟',
        locale: 'zh-CN',
        timeZone: 'Asia/Shanghai',
        birthday: '08-01',
      }),
    ]);
    await local.drain();
    local.putEvents([
      purchaseEvent({
        orderId: 'a-1',
        customerId: 'anna',
        amount: '80.00',
        purchasedAt: '2026-01-15T12:00:00Z',
      }),
      purchaseEvent({
        orderId: 'w-1',
        customerId: 'wei',
        amount: '60.00',
        purchasedAt: '2026-01-15T12:00:00Z',
      }),
    ]);
    await local.drain();
    local.putEvents([
      purchaseEvent({
        orderId: 'a-2',
        customerId: 'anna',
        amount: '30.00',
        purchasedAt: '2026-01-20T12:00:00Z',
      }),
    ]);
    await local.drain();

    // 4. Preview for a real customer.
    const preview = await cli([
      'legacy-campaigns',
      'preview',
      'first-purchase-anniversary',
      '--customer',
      'wei',
      '--out',
      'wei.html',
    ]);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('相伴1周年');
    expect(await readFile(path.join(path.dirname(campaignsDir), 'wei.html'), 'utf8')).toContain(
      'THANKS-1A2B3C4D',
    );

    // 5. Advance the simulated clock past the anniversary: one email each, at 10:00 local time.
    await local.advanceTo('2027-01-16T12:00:00Z');
    const emails = (await local.emails()).filter((email) => /together|周年/.test(email.subject));
    expect(emails.map((email) => email.destination.to[0]).sort()).toEqual([
      'anna@example.com',
      'wei@example.com',
    ]);
    const anna = emails.find((email) => email.destination.to[0] === 'anna@example.com');
    expect(anna?.subject).toBe('1 year together, Anna: a gift of $5.00');
    expect(anna?.body.text).toContain('January 15, 2026');
    expect(anna?.body.text).toMatch(/THANKS-[0-9A-F]{8}/);
    const wei = emails.find((email) => email.destination.to[0] === 'wei@example.com');
    expect(wei?.subject).toContain('相伴1周年，伟');

    // 6. Another year later: exactly one more each (re-armed, no repeats).
    await local.advanceTo('2028-01-16T12:00:00Z');
    const later = (await local.emails()).filter((email) => /together|周年/.test(email.subject));
    expect(later).toHaveLength(4);
    expect(later.filter((email) => /2 years|2周年/.test(email.subject))).toHaveLength(2);
  });
});
