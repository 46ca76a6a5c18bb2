// A rejected event is a value, not a crash: it names the field, the offending value and the
// reason, so an operator reading the dead-letter list knows what to fix before replaying.
import type { z } from 'zod';

export interface Rejection {
  field: string;
  value: unknown;
  reason: string;
}

export class RejectedEventError extends Error {
  constructor(readonly rejections: Rejection[]) {
    super(rejections.map(describeRejection).join('; '));
    this.name = 'RejectedEventError';
  }
}

export function describeRejection({ field, value, reason }: Rejection): string {
  return `${field}: ${JSON.stringify(value) ?? 'undefined'} ${reason}`;
}

/** Turns zod issues into rejections; `prefix` says where the parsed object sits (e.g. "detail"). */
export function rejectionsFromZod(error: z.ZodError, input: unknown, prefix = ''): Rejection[] {
  const fieldName = (path: string[]) => [prefix, ...path].filter(Boolean).join('.') || '(event)';
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: fieldName([...path, key]),
        value: valueAt(input, [...path, key]),
        reason: 'is not a field of this event',
      }));
    }
    const value = 'input' in issue && issue.input !== undefined ? issue.input : valueAt(input, path);
    return [{ field: fieldName(path), value, reason: issue.message }];
  });
}

function valueAt(input: unknown, path: string[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Parses with a schema or throws a RejectedEventError carrying field, value and reason. */
export function parseOrReject<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new RejectedEventError(rejectionsFromZod(result.error, input, prefix));
}
