import { describe, expect, it } from 'vitest';
import { loadProgram } from '#shared/config/program-file.ts';
import { TemplateRenderer } from '#shared/mail/render.ts';

const body =
  '{% if customer.predictions %}risk {{ customer.predictions.churnRisk }}, P(alive) {{ customer.predictions.pAlive | round: 2 }}, worth {{ customer.predictions.predictedValue | money }}, next {{ customer.predictions.expectedNextPurchaseAt | date: "medium" }}{% else %}no predictions{% endif %}';
const templates = { 'win-back': { 'en-US': { subject: 'We miss you', html: `<p>${body}</p>`, text: body } } };

const render = (predictions?: Parameters<TemplateRenderer['render']>[0]['customer']['predictions']) =>
  new TemplateRenderer(templates, loadProgram({})).render({
    template: 'win-back',
    customer: { customerId: 'c1', email: 'ada@example.com', locale: 'en-US', ...(predictions ? { predictions } : {}) },
    unsubscribeUrl: 'https://u.example/unsubscribe',
    variables: {},
    timeZone: 'UTC',
    currency: 'USD',
  });

describe('prediction template variables', () => {
  it('expose P(alive), the churn-risk band, predicted value (milli, for money) and the next purchase date', async () => {
    const email = await render({ pAlive: 0.4237, churnRisk: 'high', predictedValue12mMilli: 86_500, expectedNextPurchaseAt: '2026-12-01T00:00:00.000Z' });
    expect(email.text).toContain('risk high, P(alive) 0.42, worth $86.50, next Dec 1, 2026');
  });

  it('are null before the first fit, so a template can fall back', async () => {
    expect((await render()).text).toContain('no predictions');
  });
});
