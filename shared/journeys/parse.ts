// Parses journey files (<id>.yaml) into validated Journeys. Every problem names the file, the
// line and the field, so a marketer can fix it without reading TypeScript.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { DATE_TRIGGER_KINDS, type Journey, journeySchema } from '../domain/journey.ts';

export interface JourneyProblem {
  file: string;
  /** 1-based; 0 when the problem concerns the whole file. */
  line: number;
  /** Dotted path of the field, e.g. "send.hour" or "steps.1.afterDays"; "" for the file. */
  field: string;
  message: string;
}

export function describeProblem(problem: JourneyProblem): string {
  return `${problem.file}:${problem.line}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`;
}

export class JourneyValidationError extends Error {
  override name = 'JourneyValidationError';
  constructor(readonly problems: JourneyProblem[]) {
    super(problems.map(describeProblem).join('\n'));
  }
}

type PathKey = string | number;

/** Line of the deepest existing node on `path` (the key's line for map entries). */
function lineOf(root: Node | null, lineCounter: LineCounter, fieldPath: PathKey[]): number {
  let node: unknown = root;
  let offset = (root as Node | null)?.range?.[0] ?? 0;
  for (const key of fieldPath) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(key)];
      if (!item) break;
      offset = (item as Node).range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return lineCounter.linePos(offset).line;
}

function valueAt(input: unknown, fieldPath: PathKey[]): unknown {
  let value = input;
  for (const key of fieldPath) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[String(key)];
  }
  return value;
}

/** A discriminated union whose discriminator value matched no option (e.g. `trigger.on: birthdy`). */
function isUnknownKind(
  issue: z.core.$ZodIssue,
): issue is z.core.$ZodIssueInvalidUnion & { inclusive?: true; discriminator?: string; options?: unknown[] } {
  return (
    issue.code === 'invalid_union' &&
    issue.inclusive !== false &&
    'discriminator' in issue &&
    issue.discriminator !== undefined
  );
}

function messageOf(issue: z.core.$ZodIssue, input: unknown): string {
  const value = valueAt(input, issue.path as PathKey[]);
  const shown = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined ? 'is required' : `must be ${issue.expected}${shown}`;
    case 'invalid_value':
      if (value === undefined)
        return `is required: one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${shown}`;
    case 'invalid_union':
      if (isUnknownKind(issue))
        return `is not a known kind${shown}; use one of ${(issue.options ?? ['event', ...DATE_TRIGGER_KINDS]).join(', ')}`;
      return `is not valid${shown}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}${issue.origin === 'array' ? ' item(s)' : ''}${shown}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}${shown}`;
    default:
      return `${issue.message}${shown}`;
  }
}

/** Validates one journey file's text (campaigns/<id>.yaml); problems instead of exceptions. */
export function parseJourneyYaml(source: string, file: string): { journey?: Journey; problems: JourneyProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      problems: doc.errors.map((error) => ({
        file,
        line: error.linePos?.[0]?.line ?? lineCounter.linePos(error.pos[0]).line,
        field: '',
        message: `YAML syntax: ${error.message.split('\n')[0]}`,
      })),
    };
  }
  const input: unknown = doc.toJS();
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return {
      problems: [
        { file, line: 1, field: '', message: 'must be a mapping of journey fields (id: ..., name: ...)' },
      ],
    };
  }
  const result = journeySchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue): JourneyProblem[] => {
      const fieldPath = issue.path as PathKey[];
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({
          file,
          line: lineOf(doc.contents, lineCounter, [...fieldPath, key]),
          field: [...fieldPath, key].join('.'),
          message: 'is not a journey field (misspelt?)',
        }));
      }
      // A bad discriminator is reported on the union; point at its `on`.
      const badKind = isUnknownKind(issue) && fieldPath.at(-1) !== issue.discriminator;
      const at = badKind && isUnknownKind(issue) ? [...fieldPath, issue.discriminator ?? 'on'] : fieldPath;
      return [
        {
          file,
          line: lineOf(doc.contents, lineCounter, at),
          field: at.join('.'),
          message: messageOf({ ...issue, path: at }, input),
        },
      ];
    });
    return { problems };
  }
  const expectedId = path.basename(file).replace(/\.ya?ml$/, '');
  if (result.data.id !== expectedId) {
    return {
      problems: [
        {
          file,
          line: lineOf(doc.contents, lineCounter, ['id']),
          field: 'id',
          message: `must match the file name (${expectedId})`,
        },
      ],
    };
  }
  return { journey: result.data, problems: [] };
}

/** Files beside the journeys that are not journeys: the loyalty program. */
const NOT_JOURNEYS = new Set(['program.yaml']);

/** Every journey file in a folder (<id>.yaml), sorted. */
export async function journeyFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name) && !NOT_JOURNEYS.has(entry.name))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/** Maps a dotted field ("steps.1.template") to its line in `source`, for later checks. */
export function fieldLocator(source: string): (field: string) => number {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter });
  return (field) =>
    lineOf(
      doc.contents,
      lineCounter,
      field.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key)),
    );
}
