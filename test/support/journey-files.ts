// Journey files as a marketer keeps them in their own folder: <root>/<id>.yaml beside
// templates/<name>/<locale>/{subject,text,html}.liquid, and publishing one through the catalogue.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LocalRuntime } from '#infra/local/runtime.ts';
import { loadJourneyFiles } from '#shared/journeys/files.ts';
import { JourneyCatalogue } from '#shared/store/journeys.ts';

export interface TemplateParts {
  subject: string;
  text: string;
  /** Defaults to the text in a paragraph. */
  html?: string;
  locale?: string;
}

export async function writeTemplate(root: string, name: string, parts: TemplateParts): Promise<void> {
  const folder = path.join(root, 'templates', name, parts.locale ?? 'en-US');
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'subject.liquid'), parts.subject);
  await writeFile(path.join(folder, 'text.liquid'), parts.text);
  await writeFile(path.join(folder, 'html.liquid'), parts.html ?? `<p>${parts.text}</p>`);
}

/** Loads a journey file with its templates and publishes it as the test user. */
export async function publishJourneyFile(local: LocalRuntime, file: string) {
  const files = await loadJourneyFiles(file);
  return new JourneyCatalogue(local.doc, local.tableName, local.clock).publish({ ...files, by: 'test' });
}
