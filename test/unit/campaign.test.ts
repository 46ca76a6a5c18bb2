// Campaign files as marketers write them: every class of validation problem names the file, the
// line and the field; templates render strictly, escape hostile input and fall back by locale.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSample, sampleCustomer } from '#shared/campaigns/check-templates.ts';
import { describeProblem, loadCampaignFile, parseCampaignYaml } from '#shared/campaigns/load.ts';
import { validateCampaignFiles } from '#shared/campaigns/validate.ts';
import { audienceSchema } from '#shared/domain/campaign.ts';
import { audienceVerdict } from '#shared/domain/campaign-audience.ts';
import { TemplateRenderer } from '#shared/mail/render.ts';

const VALID = `id: spring
name: Spring sale
trigger:
  on: event
  event: Tier Changed
  direction: up
send:
  hour: 9
offer:
  kind: amount-off
  valueByTier: { Bronze: "5.00", Gold: "20.00" }
holdoutPercent: 10
templates:
  name: spring
  locales: [en-US, zh-CN]
  sample:
    coupon: { code: SPRING-1, value: 5000 }
`;

/** Problems of one file's text, as the CLI prints them. */
function problems(source: string, file = 'campaigns/spring.yaml'): string[] {
  return parseCampaignYaml(source, file).problems.map(describeProblem);
}

describe('campaign file validation names file, line and field', () => {
  it('accepts a valid file and fills the defaults', () => {
    const { campaign, problems: found } = parseCampaignYaml(VALID, 'campaigns/spring.yaml');
    expect(found).toEqual([]);
    expect(campaign?.send).toEqual({
      hour: 9,
      defaultTimeZone: 'America/New_York',
      capClass: 'marketing',
      priority: 5,
    });
    expect(campaign?.enabled).toBe(true);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('id: spring\nname: Spring: sale\nenabled: true\n')).toEqual([
      expect.stringMatching(/^campaigns\/spring\.yaml:2: YAML syntax: Nested mappings/),
    ]);
    expect(problems('id: spring\nname: A\nname: B\n')).toEqual([
      'campaigns/spring.yaml:3: YAML syntax: Map keys must be unique',
    ]);
  });

  it('reports a file that is not a mapping', () => {
    expect(problems('- just\n- a list\n')).toEqual([
      'campaigns/spring.yaml:1: must be a mapping of campaign fields (id: ..., name: ...)',
    ]);
  });

  it('reports a misspelt field at its own line', () => {
    expect(problems(VALID.replace('  hour: 9', '  hour: 9\n  houre: 10'))).toEqual([
      'campaigns/spring.yaml:9: send.houre: is not a campaign field (misspelt?)',
    ]);
  });

  it('reports a missing required field at the enclosing line', () => {
    expect(problems(VALID.replace('name: Spring sale\n', ''))).toEqual([
      'campaigns/spring.yaml:1: name: is required',
    ]);
    expect(problems(VALID.replace('  event: Tier Changed\n', ''))).toEqual([
      'campaigns/spring.yaml:3: trigger.event: is required: one of "Tier Changed", "Purchase Completed", "Customer Upserted"',
    ]);
  });

  it('reports a value of the wrong type or out of range, with the value', () => {
    expect(problems(VALID.replace('hour: 9', 'hour: nine'))).toEqual([
      'campaigns/spring.yaml:8: send.hour: must be number (got "nine")',
    ]);
    expect(problems(VALID.replace('hour: 9', 'hour: 24'))).toEqual([
      'campaigns/spring.yaml:8: send.hour: must be at most 23 (got 24)',
    ]);
    expect(problems(VALID.replace('holdoutPercent: 10', 'holdoutPercent: 75'))).toEqual([
      'campaigns/spring.yaml:12: holdoutPercent: must be at most 50 (got 75)',
    ]);
    expect(problems(VALID.replace('Gold: "20.00"', 'Gold: "twenty"'))).toEqual([
      'campaigns/spring.yaml:11: offer.valueByTier.Gold: must be an amount such as "10.00" (got "twenty")',
    ]);
  });

  it('reports an unknown choice and lists the allowed ones', () => {
    expect(problems(VALID.replace('direction: up', 'direction: sideways'))).toEqual([
      'campaigns/spring.yaml:6: trigger.direction: must be one of "up", "down" (got "sideways")',
    ]);
    expect(problems(VALID.replace('on: event', 'on: birthdy'))).toEqual([
      'campaigns/spring.yaml:4: trigger.on: is not a known kind (got "birthdy"); use one of event, birthday, days-since-last-purchase, days-since-signup, first-purchase-anniversary',
    ]);
  });

  it('reports rules that span fields', () => {
    expect(problems(VALID.replace('  valueByTier: { Bronze: "5.00", Gold: "20.00" }\n', ''))).toEqual([
      'campaigns/spring.yaml:9: offer.valueByTier: is required when kind is amount-off',
    ]);
    expect(problems(VALID.replace('kind: amount-off', 'kind: percent-off'))).toEqual([
      'campaigns/spring.yaml:9: offer.percentOff: is required when kind is percent-off',
    ]);
    expect(problems(VALID.replace('[en-US, zh-CN]', '[zh-CN]'))).toEqual([
      'campaigns/spring.yaml:15: templates.locales: must include en-US, the fallback locale (got ["zh-CN"])',
    ]);
    const series = `id: spring\nname: S\ntrigger: { on: days-since-last-purchase }\ntemplates: { locales: [en-US] }\nsteps:\n  - { id: a, afterDays: 90, template: a }\n  - { id: b, afterDays: 60, template: b }\n`;
    expect(problems(series)).toEqual([
      'campaigns/spring.yaml:7: steps.1.afterDays: must be later than the previous step (90) (got 60)',
    ]);
    expect(problems(series.replace(/steps:[\s\S]*/, ''))).toEqual([
      'campaigns/spring.yaml:1: steps: is required for trigger days-since-last-purchase',
      'campaigns/spring.yaml:4: templates.name: is required (or give steps with a template each)',
    ]);
  });

  it('requires the id to match the file name', () => {
    expect(problems(VALID, 'campaigns/summer.yaml')).toEqual([
      'campaigns/summer.yaml:1: id: must match the file name (summer)',
    ]);
  });

  it('reports an unreadable file and a duplicate id across files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'campaigns-'));
    mkdirSync(path.join(dir, 'other'));
    writeFileSync(path.join(dir, 'spring.yaml'), VALID);
    writeFileSync(path.join(dir, 'other', 'spring.yaml'), VALID);
    writeTemplates(dir, 'spring', {
      'en-US': 'Hi {{ customer.firstName }}, {{ coupon.code }}',
      'zh-CN': '{{ coupon.code }}',
    });
    const report = await validateCampaignFiles(
      [path.join(dir, 'spring.yaml'), path.join(dir, 'other', 'spring.yaml'), path.join(dir, 'gone.yaml')],
      path.join(dir, 'templates'),
    );
    expect(report.problems.map(describeProblem)).toEqual([
      `${path.join(dir, 'gone.yaml')}:0: cannot be read: ENOENT`,
      `${path.join(dir, 'other', 'spring.yaml')}:1: id: spring is already defined in ${path.join(dir, 'spring.yaml')}`,
    ]);
    await expect(loadCampaignFile(path.join(dir, 'gone.yaml'))).rejects.toThrow('cannot be read');
  });
});

function writeTemplates(dir: string, name: string, bodies: Record<string, string>): void {
  for (const [locale, body] of Object.entries(bodies)) {
    const folder = path.join(dir, 'templates', name, locale);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'subject.liquid'), body);
    writeFileSync(path.join(folder, 'html.liquid'), `<html><body><p>${body}</p></body></html>`);
    writeFileSync(path.join(folder, 'text.liquid'), body);
  }
}

describe('publish-time template checks', () => {
  async function validate(bodies: Record<string, string>) {
    const dir = mkdtempSync(path.join(tmpdir(), 'campaigns-'));
    writeFileSync(path.join(dir, 'spring.yaml'), VALID);
    writeTemplates(dir, 'spring', bodies);
    return (await validateCampaignFiles([path.join(dir, 'spring.yaml')])).problems.map((p) =>
      describeProblem({ ...p, file: 'spring.yaml' }),
    );
  }

  it('fails when a promised locale has no template, pointing at templates.name', async () => {
    expect(await validate({ 'en-US': '{{ coupon.code }}' })).toEqual([
      expect.stringMatching(/^spring\.yaml:14: templates\.name: template spring has no zh-CN version/),
    ]);
  });

  it('fails when a template uses a variable the sample context does not have (no blank in a sent email)', async () => {
    const found = await validate({
      'en-US': '{{ coupon.code }}',
      'zh-CN': '{{ coupon.code }} {{ coupon.expiresAt }}',
    });
    expect(found).toEqual([
      expect.stringMatching(
        /^spring\.yaml:14: templates\.name: zh-CN: .*undefined variable: coupon\.expiresAt/,
      ),
    ]);
  });

  it('fails on an unknown filter and on Liquid that does not parse', async () => {
    expect(await validate({ 'en-US': '{{ coupon.code | shout }}', 'zh-CN': '{% if coupon %}' })).toEqual([
      expect.stringMatching(/en-US: .*shout/),
      expect.stringMatching(/zh-CN: .*does not parse/),
    ]);
  });

  it('passes for every shipped campaign in every locale', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shipped-'));
    cpSync(path.resolve('campaigns'), dir, { recursive: true });
    const files = ['birthday.yaml', 'win-back.yaml'].map((file) => path.join(dir, file));
    expect((await validateCampaignFiles(files)).problems.map(describeProblem)).toEqual([]);
  });
});

describe('shipped templates with hostile customer input', () => {
  const renderer = new TemplateRenderer(path.resolve('campaigns/templates'));
  const hostile = '<script>alert("x")</script>{{ coupon.code }}{% assign a = 1 %}';

  it('escapes HTML and does not evaluate Liquid inside a customer name', async () => {
    const campaign = await loadCampaignFile(path.resolve('campaigns/birthday.yaml'));
    for (const locale of ['en-US', 'zh-CN']) {
      const email = await renderSample(renderer, campaign, 'birthday', locale, {
        ...sampleCustomer(locale),
        firstName: hostile,
      });
      expect(email.html).not.toContain('<script>');
      expect(email.html).toContain('&lt;script&gt;');
      expect(email.html).toContain('{{ coupon.code }}'.replace(/"/g, '&quot;'));
      expect(email.subject).not.toMatch(/[\r\n]/);
      expect(email.text).toContain('{% assign a = 1 %}');
    }
  });

  it('falls back to en-US for a locale without templates, and keeps zh-CN for zh-CN', async () => {
    const campaign = await loadCampaignFile(path.resolve('campaigns/birthday.yaml'));
    const german = await renderSample(renderer, campaign, 'birthday', 'de-DE');
    expect(german.locale).toBe('en-US');
    expect(german.subject).toMatch(/Happy birthday/);
    const chinese = await renderSample(renderer, campaign, 'birthday', 'zh-CN');
    expect(chinese.locale).toBe('zh-CN');
    expect(chinese.subject).toMatch(/生日/);
  });
});

describe('audience filters', () => {
  const facts = {
    tier: 'Gold',
    locale: 'zh-CN',
    spendMilli: 800_000,
    orderCount: 4,
    attributes: { vip: 'yes' },
  };
  it('admits a customer who meets every condition and says why one is out', () => {
    const audience = audienceSchema.parse({
      tiers: ['Gold'],
      locales: ['zh'],
      minSpend: '500.00',
      minOrders: 2,
      attributes: { vip: 'yes' },
    });
    expect(audienceVerdict(audience, facts)).toEqual({ in: true });
    expect(audienceVerdict(audience, { ...facts, spendMilli: 499_999 })).toEqual({
      in: false,
      because: 'spend below 500.00',
    });
    expect(audienceVerdict(audience, { ...facts, attributes: {} })).toEqual({
      in: false,
      because: 'attribute vip is not yes',
    });
    expect(audienceVerdict(audienceSchema.parse({}), { spendMilli: 0, orderCount: 0 })).toEqual({ in: true });
  });
});
