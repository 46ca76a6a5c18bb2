import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadProgram } from '#shared/config/program-file.ts';
import { JourneyEditor } from '#shared/console/editor.ts';
import { journeySchema } from '#shared/domain/journey.ts';
import { sampleFacts } from '#shared/journeys/sample.ts';
import type { JourneyVersion } from '#shared/store/journeys.ts';

const SOURCE = `id: welcome
name: Welcome
trigger:
  on: event
  event: Customer Upserted
templates:
  locales: [en-US, zh-CN]
steps:
  - id: hello
    send: { template: welcome }
`;
const parts = (greeting: string) => ({
  subject: `${greeting} {{ customer.firstName }}`,
  html: `<p>${greeting} {{ customer.firstName }}</p>\n`,
  text: `${greeting} {{ customer.firstName }}\n`,
});
const TEMPLATES = { welcome: { 'en-US': parts('Welcome'), 'zh-CN': parts('欢迎') } };

const published: JourneyVersion = {
  journeyId: 'welcome',
  version: 1,
  journey: journeySchema.parse(parse(SOURCE)),
  templates: TEMPLATES,
  source: SOURCE,
  publishedAt: '2027-01-01T00:00:00.000Z',
  publishedBy: 'seed',
  note: 'first',
};
const catalogue = {
  current: async (id: string) => (id === 'welcome' ? published : undefined),
  publish: async () => ({ kind: 'published' as const, version: 2, previous: 1 }),
};
const program = loadProgram({});
const clock = { now: () => new Date('2027-03-01T10:00:00Z') };
const editor = new JourneyEditor(catalogue, { program, clock });

describe('the console editor', () => {
  it('reports a broken template and a misspelt tier at their line and field, naming no scratch folder', async () => {
    const source = SOURCE.replace('  event: Customer Upserted\n', '  event: Customer Upserted\n  where: { tiers: [Golld] }\n');
    const result = await editor.validate({
      source,
      templates: { welcome: { ...TEMPLATES.welcome, 'zh-CN': { ...parts('欢迎'), subject: '欢迎 {{ customer.firstName ' } } },
    });
    expect(result.journey).toBeUndefined();
    expect(result.problems.map((p) => `${p.line}: ${p.field}`)).toEqual(['6: trigger.where.tiers.0', '11: steps.0.send.template']);
    expect(result.problems[0]?.message).toContain('did you mean "Gold"');
    const fixedTier = await editor.validate({
      source: SOURCE,
      templates: { welcome: { ...TEMPLATES.welcome, 'zh-CN': { ...parts('欢迎'), subject: '欢迎 {{ customer.firstName ' } } },
    });
    expect(fixedTier.problems.map((p) => `${p.line}: ${p.field}`)).toEqual(['10: steps.0.send.template']);
    expect(fixedTier.problems[0]?.message).toMatch(/^zh-CN: /);
    expect(JSON.stringify(fixedTier.problems)).not.toContain(tmpdir());
  });

  it('previews a template in the asked locale for the given customer', async () => {
    const email = await editor.preview({ source: SOURCE, templates: TEMPLATES }, 'welcome', 'zh-CN', {
      customer: { customerId: 'c-1', email: 'mei@example.com', firstName: '小美' },
      facts: sampleFacts(program, 'zh-CN', clock.now()),
    });
    expect(email).toMatchObject({ locale: 'zh-CN', subject: '欢迎 小美' });
    expect(email.text).toContain('欢迎 小美');
  });

  it('exports a patch that git applies to the published files, giving exactly the draft', async () => {
    const draft = {
      source: SOURCE.replace('name: Welcome', 'name: Warm welcome'),
      templates: { welcome: { ...TEMPLATES.welcome, 'zh-CN': { ...parts('欢迎回来'), subject: '欢迎回来' } } },
    };
    const repo = await mkdtemp(path.join(tmpdir(), 'console-patch-'));
    await writeFile(path.join(repo, 'welcome.yaml'), SOURCE);
    for (const [locale, texts] of Object.entries(TEMPLATES.welcome)) {
      await mkdir(path.join(repo, 'templates', 'welcome', locale), { recursive: true });
      for (const [part, text] of Object.entries(texts)) await writeFile(path.join(repo, 'templates', 'welcome', locale, `${part}.liquid`), text);
    }
    const patch = await editor.patch('welcome', draft);
    await writeFile(path.join(repo, 'draft.patch'), patch);
    execFileSync('git', ['apply', '--unsafe-paths', '--directory=.', 'draft.patch'], { cwd: repo });
    expect(await readFile(path.join(repo, 'welcome.yaml'), 'utf8')).toBe(draft.source);
    expect(await readFile(path.join(repo, 'templates/welcome/zh-CN/subject.liquid'), 'utf8')).toBe('欢迎回来');
    expect(await readFile(path.join(repo, 'templates/welcome/zh-CN/html.liquid'), 'utf8')).toBe(parts('欢迎回来').html);
    expect(await readFile(path.join(repo, 'templates/welcome/en-US/subject.liquid'), 'utf8')).toBe(TEMPLATES.welcome['en-US'].subject);
  });
});
