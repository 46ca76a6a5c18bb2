// A journey as files: <dir>/<id>.yaml plus <dir>/templates/<template>/<locale>/{subject,html,text}.liquid
// beside it. Reads both into what one published version holds, so a marketer's own repository
// publishes exactly like the shipped campaigns/ folder.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Journey, journeyTemplates } from '../domain/journey.ts';
import { type JourneyProblem, JourneyValidationError, parseJourneyYaml } from './parse.ts';
import type { JourneyTemplates, TemplateParts } from '../store/journeys.ts';

export const FALLBACK_LOCALE = 'en-US';
const PARTS = ['subject', 'html', 'text'] as const;

export interface JourneyFiles {
  file: string;
  source: string;
  journey: Journey;
  templates: JourneyTemplates;
}

/** `templates/` beside the journey file. */
export function templatesDirOf(file: string): string {
  return path.join(path.dirname(file), 'templates');
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads every template of the journey in every promised locale; a missing part is a problem. */
export async function readJourneyTemplates(
  journey: Journey,
  templatesDir: string,
  file: string,
): Promise<{ templates: JourneyTemplates; problems: JourneyProblem[] }> {
  const templates: JourneyTemplates = {};
  const problems: JourneyProblem[] = [];
  for (const name of journeyTemplates(journey)) {
    const byLocale: Record<string, TemplateParts> = {};
    for (const locale of journey.templates.locales) {
      const parts: Partial<TemplateParts> = {};
      for (const part of PARTS) {
        const where = path.join(templatesDir, name, locale, `${part}.liquid`);
        const text = await readIfPresent(where);
        if (text === undefined)
          problems.push({
            file,
            line: 0,
            field: 'templates.locales',
            message: `template ${name} has no ${locale}/${part}.liquid (looked in ${where})`,
          });
        else parts[part] = text;
      }
      if (parts.subject !== undefined && parts.html !== undefined && parts.text !== undefined)
        byLocale[locale] = { subject: parts.subject, html: parts.html, text: parts.text };
    }
    templates[name] = byLocale;
  }
  return { templates, problems };
}

/** One journey file and its templates, or a JourneyValidationError naming every problem. */
export async function loadJourneyFiles(file: string): Promise<JourneyFiles> {
  const source = await readFile(file, 'utf8');
  const parsed = parseJourneyYaml(source, file);
  if (!parsed.journey) throw new JourneyValidationError(parsed.problems);
  const { templates, problems } = await readJourneyTemplates(parsed.journey, templatesDirOf(file), file);
  if (problems.length) throw new JourneyValidationError(problems);
  return { file, source, journey: parsed.journey, templates };
}
