// The console's editor: a journey file and its templates edited in the browser are validated by
// the CLI's own validator (validateForPublish, on a scratch copy of exactly those files),
// previewed through the sender's renderer for a real or sample customer, test-sent, published as
// a catalogue version, or exported as a patch a team can `git apply`.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JourneyProblem } from '../journeys/parse.ts';
import type { Clock } from '../domain/clock.ts';
import type { Journey } from '../domain/journey.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import type { CustomerFacts } from '../journeys/customer-facts.ts';
import type { JourneyFiles } from '../journeys/files.ts';
import { renderJourneySend, type SendJourneyStep } from '../journeys/preview.ts';
import { sampleFacts, sampleRenderCustomer } from '../journeys/sample.ts';
import { validateForPublish } from '../journeys/validate.ts';
import { lineDiff } from '../journeys/versions.ts';
import { parse } from 'yaml';
import type { RenderCustomer, RenderedEmail } from '../mail/render.ts';
import type { JourneyCatalogue, JourneyTemplates, PublishOutcome } from '../store/journeys.ts';

/** The draft's file name: `<id>.yaml` as the CLI requires (the id only if it is a safe file name). */
function draftFile(source: string): string {
  let id: unknown;
  try {
    id = (parse(source) as { id?: unknown } | null)?.id;
  } catch {
    id = undefined;
  }
  return `${typeof id === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/.test(id) ? id : 'journey'}.yaml`;
}

export interface Draft {
  source: string;
  templates: JourneyTemplates;
}

export interface DraftProblem {
  line: number;
  field: string;
  message: string;
}

export interface DraftValidation {
  journey?: Journey | undefined;
  problems: DraftProblem[];
}

export interface EditorSettings {
  program: LoyaltyProgram;
  clock: Clock;
}

/** A real customer to preview for: their profile as rendered, and the facts a send reads. */
export interface PreviewCustomer {
  customer: RenderCustomer;
  facts: CustomerFacts;
}

export class DraftRejectedError extends Error {
  override name = 'DraftRejectedError';
  constructor(readonly problems: DraftProblem[]) {
    super(problems.map((p) => `${p.line}: ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n'));
  }
}

export class JourneyEditor {
  constructor(
    private readonly catalogue: Pick<JourneyCatalogue, 'current' | 'publish'>,
    private readonly settings: EditorSettings,
  ) {}

  /** The CLI's validation, plus every send step rendered in every promised locale (as publish does). */
  async validate(draft: Draft): Promise<DraftValidation & { files?: JourneyFiles }> {
    const dir = await mkdtemp(path.join(tmpdir(), 'console-draft-'));
    try {
      const file = path.join(dir, draftFile(draft.source));
      await writeFile(file, draft.source);
      for (const [name, locales] of Object.entries(draft.templates))
        for (const [locale, parts] of Object.entries(locales)) {
          const folder = path.join(dir, 'templates', name, locale);
          await mkdir(folder, { recursive: true });
          for (const [part, text] of Object.entries(parts)) await writeFile(path.join(folder, `${part}.liquid`), text);
        }
      const result = await validateForPublish([file], this.settings.program, this.settings.clock.now());
      const problems = result.problems.map((problem) => scrub(problem, dir));
      const files = result.journeys[0];
      return files ? { journey: files.journey, problems, files } : { problems };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The send step that renders `template`, for `who` (default: the sample customer) in `locale`. */
  async preview(draft: Draft, template: string, locale: string, who?: PreviewCustomer): Promise<RenderedEmail> {
    const journey = await this.validJourney(draft);
    const step = journey.steps.find(
      (candidate): candidate is SendJourneyStep => 'send' in candidate && candidate.send.template === template,
    );
    if (!step) throw new DraftRejectedError([{ line: 0, field: 'template', message: `no send step uses template ${template}` }]);
    const now = this.settings.clock.now();
    return renderJourneySend({
      program: this.settings.program,
      journey,
      templates: draft.templates,
      step,
      facts: who?.facts ?? sampleFacts(this.settings.program, locale, now),
      customer: who ? { ...who.customer, locale } : sampleRenderCustomer(locale),
      now,
    });
  }

  async publish(draft: Draft, by: string, note: string, expectedVersion: number): Promise<PublishOutcome & { journeyId: string }> {
    const validation = await this.validate(draft);
    if (!validation.files) throw new DraftRejectedError(validation.problems);
    const journeyId = validation.files.journey.id;
    const outcome = await this.catalogue.publish({
      journey: validation.files.journey,
      templates: validation.files.templates,
      source: draft.source,
      by,
      note,
      expectedVersion,
    });
    return { ...outcome, journeyId };
  }

  /** A `git apply`-able patch from the published version (if any) to the draft, files laid out as the CLI reads them. */
  async patch(journeyId: string, draft: Draft): Promise<string> {
    const current = await this.catalogue.current(journeyId);
    const before = current ? filesOf(`${journeyId}.yaml`, current.source, current.templates) : new Map<string, string>();
    const after = filesOf(`${journeyId}.yaml`, draft.source, draft.templates);
    const names = [...new Set([...before.keys(), ...after.keys()])].sort();
    return names.map((name) => filePatch(name, before.get(name), after.get(name))).join('');
  }

  private async validJourney(draft: Draft): Promise<Journey> {
    const validation = await this.validate(draft);
    if (!validation.journey) throw new DraftRejectedError(validation.problems);
    return validation.journey;
  }

}

/** Problems name the draft as journey.yaml, never the scratch folder. */
function scrub(problem: JourneyProblem, dir: string): DraftProblem {
  const hide = (text: string) => text.split(`${dir}${path.sep}`).join('');
  return { line: problem.line, field: hide(problem.field), message: hide(problem.message) };
}

function filesOf(file: string, source: string, templates: JourneyTemplates): Map<string, string> {
  const files = new Map([[file, source]]);
  for (const [name, locales] of Object.entries(templates))
    for (const [locale, parts] of Object.entries(locales))
      for (const [part, text] of Object.entries(parts)) files.set(`templates/${name}/${locale}/${part}.liquid`, text);
  return files;
}

/** One file's unified diff as a single whole-file hunk (git accepts it; files are small). */
function filePatch(name: string, before: string | undefined, after: string | undefined): string {
  if (before === after) return '';
  const a = linesOf(before);
  const b = linesOf(after);
  const header = [
    `diff --git a/${name} b/${name}`,
    ...(before === undefined ? ['new file mode 100644'] : after === undefined ? ['deleted file mode 100644'] : []),
    `--- ${before === undefined ? '/dev/null' : `a/${name}`}`,
    `+++ ${after === undefined ? '/dev/null' : `b/${name}`}`,
    `@@ -${a.length ? 1 : 0},${a.length} +${b.length ? 1 : 0},${b.length} @@`,
  ];
  const body = lineDiff(a, b).map((line) => (line.startsWith('  ') ? ` ${line.slice(2)}` : `${line[0]}${line.slice(2)}`));
  const noNewline = (text: string | undefined) => text !== undefined && text.length > 0 && !text.endsWith('\n');
  // A last line without a newline is marked, as git does, so the patch round-trips exactly.
  if (noNewline(before) || noNewline(after)) return `${[...header, ...markMissingNewlines(body, a, b, before, after)].join('\n')}\n`;
  return `${[...header, ...body].join('\n')}\n`;
}

function linesOf(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function markMissingNewlines(
  body: string[],
  a: string[],
  b: string[],
  before: string | undefined,
  after: string | undefined,
): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  for (const line of body) {
    out.push(line);
    const fromA = line[0] === ' ' || line[0] === '-';
    const fromB = line[0] === ' ' || line[0] === '+';
    if (fromA) i++;
    if (fromB) j++;
    const endsA = fromA && i === a.length && before !== undefined && !before.endsWith('\n');
    const endsB = fromB && j === b.length && after !== undefined && !after.endsWith('\n');
    if (endsA || endsB) out.push('\\ No newline at end of file');
  }
  return out;
}
