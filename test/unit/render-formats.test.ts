// The renderer keeps one Intl formatter per (locale, zone, style) and per (locale, currency), and
// one locale decision per (template, wanted locale): reusing them must never leak one customer's
// zone, currency or language into the next email.
import { describe, expect, it } from 'vitest';
import { loadProgram } from '#shared/config/program-file.ts';
import { formatMoney } from '#shared/domain/money.ts';
import { type RenderInput, type StoredTemplates, TemplateRenderer } from '#shared/mail/render.ts';

const templates: StoredTemplates = {
  due: {
    'en-US': {
      subject: 'Due {{ at | date: "short" }}',
      html: '<p>{{ amount | money }} on {{ at | date }}</p>',
      text: '{{ amount | money }} on {{ at | date }}',
    },
    'zh-CN': {
      subject: '{{ at | date: "short" }} 到期',
      html: '<p>{{ amount | money }} {{ at | date }}</p>',
      text: '{{ amount | money }} {{ at | date }}',
    },
  },
};

const renderer = new TemplateRenderer(templates, loadProgram({}));
// 23:30 UTC on Jan 31 is already Feb 1 in Shanghai.
const request = (locale: string, timeZone: string, currency: string): RenderInput => ({
  template: 'due',
  customer: { customerId: 'c1', email: 'c1@example.com', locale },
  unsubscribeUrl: 'https://u.example/unsubscribe?t=1',
  variables: { amount: 12_500, at: '2027-01-31T23:30:00Z' },
  timeZone,
  currency,
});

describe('reused formatters', () => {
  it('give each email its own zone, currency and locale, in any order', async () => {
    for (let round = 0; round < 2; round++) {
      const ny = await renderer.render(request('en-US', 'America/New_York', 'USD'));
      const sh = await renderer.render(request('zh-CN', 'Asia/Shanghai', 'CNY'));
      const en = await renderer.render(request('en-GB', 'Asia/Shanghai', 'EUR'));
      expect(ny.text).toContain('$12.50 on January 31, 2027');
      expect(sh.locale).toBe('zh-CN');
      expect(sh.text).toContain('¥12.50 2027年2月1日');
      expect(en.locale).toBe('en-US');
      expect(en.text).toContain('€12.50 on 1 February 2027');
    }
  });

  it('formats money per (locale, currency) pair', () => {
    expect(formatMoney(1_500, 'USD', 'en-US')).toBe('$1.50');
    expect(formatMoney(1_500, 'EUR', 'de-DE')).toBe('1,50\u00a0€');
    expect(formatMoney(1_500, 'USD', 'en-US')).toBe('$1.50');
  });
});
