// The journey a preview, test-send or audience works on: --file (with templates/ beside it), else
// the published current version (journey and templates as stored), else <dir>/<id>.yaml.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { JourneyValidationError, describeProblem } from '#shared/journeys/parse.ts';
import type { Journey, JourneyStep } from '#shared/domain/journey.ts';
import { loadJourneyFiles } from '#shared/journeys/files.ts';
import type { JourneyTemplates } from '#shared/store/journeys.ts';
import type { CommandContext } from '../command-module.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { catalogueOf } from './campaigns.ts';

export interface SourceOptions {
  file?: string;
  dir: string;
  step?: string;
}

export interface JourneySource {
  journey: Journey;
  templates: JourneyTemplates;
  /** Where it came from, for the output: a file path or "published v3". */
  from: string;
  version?: number | undefined;
}

export function sourceOptions(command: Command): Command {
  return command
    .option('--file <yaml>', 'use this journey file (templates/ beside it) instead of the published version')
    .option('--dir <folder>', 'folder of journey files, used when the journey is not published', 'campaigns')
    .option('--step <id>', 'send step to use (default: the first send step)');
}

async function fromFile(context: CommandContext, file: string): Promise<JourneySource> {
  try {
    const loaded = await loadJourneyFiles(file);
    return {
      journey: loaded.journey,
      templates: loaded.templates,
      from: path.relative(context.io.cwd, file) || file,
    };
  } catch (error) {
    if (error instanceof JourneyValidationError)
      throw new CliError(EXIT.validationFailed, error.problems.map(describeProblem).join('\n'), {
        problems: error.problems,
      });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new CliError(EXIT.notFound, `no file ${file}`);
    throw error;
  }
}

export async function journeyFrom(
  context: CommandContext,
  id: string,
  options: SourceOptions,
): Promise<JourneySource> {
  if (options.file) return fromFile(context, path.resolve(context.io.cwd, options.file));
  const published = await (await catalogueOf(context)).current(id);
  if (published)
    return {
      journey: published.journey,
      templates: published.templates,
      from: `published v${published.version}`,
      version: published.version,
    };
  const shipped = path.resolve(context.io.cwd, options.dir, `${id}.yaml`);
  if (existsSync(shipped)) return fromFile(context, shipped);
  throw new CliError(EXIT.notFound, `journey ${id} is neither published nor in ${options.dir}/`);
}

/** The send step to render: --step, else the first send step. */
export function sendStepOf(
  journey: Journey,
  stepId: string | undefined,
): Extract<JourneyStep, { send: unknown }> {
  const sends = journey.steps.filter(
    (step): step is Extract<JourneyStep, { send: unknown }> => 'send' in step,
  );
  const found = stepId ? sends.find((step) => step.id === stepId) : sends[0];
  if (!found)
    throw new CliError(
      EXIT.notFound,
      stepId
        ? `journey ${journey.id} has no send step ${stepId} (send steps: ${sends.map((s) => s.id).join(', ') || 'none'})`
        : `journey ${journey.id} has no send step`,
    );
  return found;
}
