import { describe, expect, it } from 'vitest';
import { loadProgram } from '#shared/config/program-file.ts';
import { TemplateError, TemplateRenderer } from '#shared/mail/render.ts';

const renderer = new TemplateRenderer(
  {
    nudge: {
      'en-US': {
        subject: 'Hi {{ customer.firstName }}',
        html: '<p>{{ tierName }}</p>',
        text: '{{ tierName }}',
      },
      'zh-CN': {
        subject: '你好 {{ customer.firstName }}',
        html: '<p>{{ tierName }}</p>',
        text: '{{ tierName }}',
      },
    },
  },
  loadProgram({}),
);
const input = (locale: string, variables: Record<string, unknown> = { tierName: 'Gold <b>' }) => ({
  template: 'nudge',
  customer: { customerId: 'c-1', email: 'c@example.com', firstName: 'Ana', locale },
  unsubscribeUrl: 'https://example.com/u',
  variables,
  timeZone: 'UTC',
  currency: 'USD',
});

describe('rendering a published version (stored templates, no files)', () => {
  it('renders the stored text in the customer locale, escaping HTML, falling back to en-US', async () => {
    const zh = await renderer.render(input('zh-CN'));
    expect(zh).toMatchObject({ subject: '你好 Ana', locale: 'zh-CN' });
    expect(zh.html).toContain('<p>Gold &lt;b&gt;</p>');
    expect((await renderer.render(input('fr-FR'))).locale).toBe('en-US');
  });

  it('fails on a template or variable the version lacks', async () => {
    await expect(renderer.render({ ...input('en-US'), template: 'other' })).rejects.toBeInstanceOf(
      TemplateError,
    );
    await expect(renderer.render(input('en-US', {}))).rejects.toThrow(/tierName/);
  });
});
