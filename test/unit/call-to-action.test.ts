import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shopLink, utmContent } from '#shared/domain/brand.ts';
import { journeySchema, type JourneyInput } from '#shared/domain/journey.ts';
import { parseProgramYaml } from '#shared/config/program-file.ts';
import { ProgramConfigError } from '#shared/domain/loyalty-program.ts';
import { loadJourneyFiles } from '#shared/journeys/files.ts';
import { journeyFiles } from '#shared/journeys/parse.ts';
import { renderJourneySend } from '#shared/journeys/preview.ts';
import { sampleFacts, sampleRenderCustomer } from '#shared/journeys/sample.ts';
import { TemplateError, TemplateRenderer } from '#shared/mail/render.ts';

const CAMPAIGNS = path.resolve('campaigns');
const programText = await readFile(path.join(CAMPAIGNS, 'program.yaml'), 'utf8');
const program = parseProgramYaml(programText, 'program.yaml');
const NOW = new Date('2026-06-10T12:00:00Z');
const LOCALES = ['en-US', 'zh-CN'] as const;

/** Every shipped template folder with what its send step offers (the variables it shows). */
const shipped = (await readdir(path.join(CAMPAIGNS, 'templates'))).sort();
/** The trigger detail each shipped journey previews with (`event.*`), by the template it sends. */
const sampleEvents = new Map<string, Record<string, unknown>>();
for (const file of await journeyFiles(CAMPAIGNS)) {
  const { journey } = await loadJourneyFiles(file);
  for (const step of journey.steps)
    if ('send' in step) sampleEvents.set(step.send.template, journey.templates.sample);
}
const offerFor = (template: string): JourneyInput['steps'][number] =>
  template === 'birthday'
    ? {
        id: 'greeting',
        send: {
          template,
          offer: { kind: 'amount-off', codePrefix: 'BDAY', valueByTier: { Bronze: '5', Silver: '10' } },
        },
      }
    : template.startsWith('win-back')
      ? { id: 'nudge', send: { template, offer: { kind: 'percent-off', percentOff: 15, code: 'COMEBACK15' } } }
      : { id: 'congratulate', send: { template } };

async function templatesOf(template: string) {
  const locales = Object.fromEntries(
    await Promise.all(
      LOCALES.map(async (locale) => {
        const read = (part: string) =>
          readFile(path.join(CAMPAIGNS, 'templates', template, locale, `${part}.liquid`), 'utf8');
        return [locale, { subject: await read('subject'), html: await read('html'), text: await read('text') }];
      }),
    ),
  );
  return { [template]: locales };
}

async function render(template: string, locale: string, variant?: string) {
  const step = offerFor(template);
  const journey = journeySchema.parse({
    id: `${template}-journey`,
    name: template,
    trigger: { on: 'event', event: 'Tier Changed' },
    templates: { locales: [...LOCALES], sample: sampleEvents.get(template) ?? {} },
    steps: [step],
  });
  const send = journey.steps[0];
  if (!send || !('send' in send)) throw new Error('a send step');
  return renderJourneySend({
    program,
    journey,
    templates: await templatesOf(template),
    step: send,
    facts: sampleFacts(program, locale, NOW),
    customer: sampleRenderCustomer(locale),
    now: NOW,
    variant,
  });
}

describe('the call to action of every shipped email', () => {
  it('ships the brand in program.yaml', () => {
    expect(program.brand?.shopUrl).toBe('https://shop.example.com/');
  });

  it.each(shipped.flatMap((template) => LOCALES.map((locale) => [template, locale] as const)))(
    '%s %s: one button to the shop with utm_source, utm_medium=email, utm_campaign=journey, utm_content=step',
    async (template, locale) => {
      const email = await render(template, locale);
      const buttons = [...email.html.matchAll(/<a class="cta" href="([^"]+)"/g)].map((m) => m[1] ?? '');
      expect(buttons).toHaveLength(1);
      const href = new URL((buttons[0] ?? '').replaceAll('&amp;', '&'));
      expect(href.origin + href.pathname).toBe('https://shop.example.com/');
      expect(Object.fromEntries(href.searchParams)).toEqual({
        utm_source: 'loyalty-flows',
        utm_medium: 'email',
        utm_campaign: `${template}-journey`,
        utm_content: 'send' in offerFor(template) ? offerFor(template).id : '',
      });
      // The text part carries the same link on its own line, and the footer the postal address.
      expect(email.text).toContain(`: ${href.toString()}`);
      expect(email.html).toContain('500 Market Street');
      expect(email.text).toContain('500 Market Street');
      // No logo image configured: the shop name stands in.
      expect(email.html).toContain('Juniper &amp; Co.');
    },
  );

  it('names the split variant in utm_content', async () => {
    const email = await render('tier-upgrade', 'en-US', 'variant-b');
    expect(email.html).toContain('utm_content=congratulate.variant-b');
    expect(utmContent('offer', 'offer')).toBe('offer');
  });

  it('keeps query parameters the shop URL already has and escapes the link in HTML', () => {
    const link = shopLink(
      { shopUrl: 'https://shop.example.com/sale?ref=vip', utmSource: 'loyalty-flows' },
      { campaign: 'win-back', content: 'nudge' },
    );
    expect(link).toBe(
      'https://shop.example.com/sale?ref=vip&utm_source=loyalty-flows&utm_medium=email&utm_campaign=win-back&utm_content=nudge',
    );
  });
});

describe('tier names in the customer language', () => {
  it("shows the program's zh-CN tier name on the birthday coupon, never the tier id", async () => {
    const email = await render('birthday', 'zh-CN');
    expect(email.html).toContain('白银会员专享');
    expect(email.text).toContain('白银会员专享');
    expect(`${email.html}${email.text}`).not.toMatch(/\b(Bronze|Silver|Gold|Platinum)\b/);
  });

  it('shows the en-US name in English', async () => {
    const email = await render('birthday', 'en-US');
    expect(email.text).toContain('(Silver member gift)');
  });

  it('refuses a tier the program does not have, naming it', async () => {
    const renderer = new TemplateRenderer(
      { t: { 'en-US': { subject: 's', html: '{{ "Diamond" | tier_name }}', text: 't' } } },
      program,
    );
    await expect(
      renderer.render({
        template: 't',
        customer: { customerId: 'c', email: 'c@example.com' },
        unsubscribeUrl: 'https://example.com/u',
        variables: {},
        timeZone: 'UTC',
        currency: 'USD',
      }),
    ).rejects.toThrow(/tier_name: "Diamond" is not a tier/);
  });
});

describe('brand settings', () => {
  const withBrand = (brand: string) =>
    programText.replace(/^brand:\n(?: {2}.*\n)+/m, `brand:\n${brand}`);

  it('name the field and value of a bad shop URL or colour', () => {
    expect(() =>
      parseProgramYaml(withBrand('  shopName: X\n  shopUrl: shop.example.com\n  footerAddress: A\n'), 'p.yaml'),
    ).toThrow(/brand\.shopUrl.*shop\.example\.com/);
    expect(() =>
      parseProgramYaml(
        withBrand('  shopName: X\n  shopUrl: https://x.example\n  footerAddress: A\n  colors: { button: blue }\n'),
        'p.yaml',
      ),
    ).toThrow(ProgramConfigError);
  });

  it('without a brand, a template with a button says what to set', async () => {
    const { brand: _none, ...unbranded } = program;
    const renderer = new TemplateRenderer(
      { t: { 'en-US': { subject: 's', html: '{% cta "Shop now" %}', text: 't' } } },
      unbranded,
    );
    await expect(
      renderer.render({
        template: 't',
        customer: { customerId: 'c', email: 'c@example.com' },
        unsubscribeUrl: 'https://example.com/u',
        variables: {},
        timeZone: 'UTC',
        currency: 'USD',
      }),
    ).rejects.toThrow(TemplateError);
  });
});
