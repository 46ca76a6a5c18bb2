import { describe, expect, it } from 'vitest';
import { loadProgram } from '#shared/config/program-file.ts';
import { type RenderInput, type StoredTemplates, TemplateError, TemplateRenderer } from '#shared/mail/render.ts';

const templates: StoredTemplates = {
  greeting: {
    'en-US': {
      subject: 'Hello {{ customer.firstName | default: "there" }}',
      html: '<html><body><p>Hi {{ customer.firstName }}, you have {{ reward | money }} until {{ expiresAt | date }}.</p></body></html>',
      text: 'Hi {{ customer.firstName }}, you have {{ reward | money }} until {{ expiresAt | date }}.',
    },
    'zh-CN': {
      subject: '{{ customer.firstName }}，您好',
      html: '<p>{{ reward | money }}，有效期至 {{ expiresAt | date }}</p>',
      text: '{{ reward | money }}，有效期至 {{ expiresAt | date }}',
    },
  },
  'with-link': {
    'en-US': {
      subject: 'News',
      html: '<p>News</p><a href="{{ unsubscribeUrl }}">Stop these emails</a>',
      text: 'News. Stop: {{ unsubscribeUrl }}',
    },
  },
};

const renderer = new TemplateRenderer(templates, loadProgram({}));
const unsubscribeUrl = 'https://u.example/unsubscribe?c=c1&t=tok';

function input(
  overrides: Partial<RenderInput> = {},
  customer: Partial<RenderInput['customer']> = {},
): RenderInput {
  return {
    template: 'greeting',
    customer: { customerId: 'c1', email: 'ada@example.com', firstName: 'Ada', locale: 'en-US', ...customer },
    unsubscribeUrl,
    variables: { reward: 12_500, expiresAt: '2027-01-31T12:00:00Z' },
    timeZone: 'America/New_York',
    currency: 'USD',
    ...overrides,
  };
}

describe('email rendering', () => {
  it('formats money from milli-units and dates in the customer locale and zone', async () => {
    const email = await renderer.render(input());
    expect(email.subject).toBe('Hello Ada');
    expect(email.text).toContain('you have $12.50 until January 31, 2027');
  });

  it('renders the zh-CN template with Chinese formatting', async () => {
    const email = await renderer.render(
      input({ currency: 'CNY', timeZone: 'Asia/Shanghai' }, { locale: 'zh-CN', firstName: '丽' }),
    );
    expect(email.locale).toBe('zh-CN');
    expect(email.subject).toBe('丽，您好');
    expect(email.text).toContain('¥12.50，有效期至 2027年1月31日');
  });

  it('falls back to en-US for a locale without templates', async () => {
    const email = await renderer.render(input({}, { locale: 'fr-FR' }));
    expect(email.locale).toBe('en-US');
    expect(email.subject).toBe('Hello Ada');
  });

  it('escapes HTML and Liquid syntax in a hostile customer name in the html part', async () => {
    const firstName = '<script>alert(1)</script>{{ unsubscribeUrl }}{% raw %}';
    const email = await renderer.render(input({}, { firstName }));
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;{{ unsubscribeUrl }}{% raw %}');
    // The text part is plain text: the name appears as typed, never evaluated as a template.
    expect(email.text).toContain(`Hi ${firstName},`);
  });

  it('keeps a subject on one line whatever the name contains', async () => {
    const email = await renderer.render(input({}, { firstName: 'Ada\r\nBcc: victim@example.com' }));
    expect(email.subject).toBe('Hello Ada Bcc: victim@example.com');
  });

  it('lets templates default an absent customer field', async () => {
    const email = await renderer.render(input({}, { firstName: undefined }));
    expect(email.subject).toBe('Hello there');
  });

  it('fails with a TemplateError when a campaign variable is missing instead of rendering a blank', async () => {
    await expect(renderer.render(input({ variables: { reward: 1000 } }))).rejects.toThrow(TemplateError);
    await expect(renderer.render(input({ variables: { reward: 1000 } }))).rejects.toThrow(/expiresAt/);
  });

  it('fails with a TemplateError for an unknown template', async () => {
    await expect(renderer.render(input({ template: 'nope' }))).rejects.toThrow(TemplateError);
    await expect(renderer.render(input({ template: '../greeting' }))).rejects.toThrow(TemplateError);
  });

  it('appends a visible unsubscribe footer to templates that lack the link', async () => {
    const email = await renderer.render(input());
    expect(email.html).toContain(
      '<a href="https://u.example/unsubscribe?c=c1&amp;t=tok">Unsubscribe</a></p>\n</body>',
    );
    expect(email.text).toContain(`Unsubscribe: ${unsubscribeUrl}`);
  });

  it('does not add a second link when the template shows its own', async () => {
    const email = await renderer.render(input({ template: 'with-link' }));
    expect(email.html.match(/unsubscribe\?/g)).toHaveLength(1);
    expect(email.text.match(/unsubscribe\?/g)).toHaveLength(1);
  });
});
