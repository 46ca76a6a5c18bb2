// A function's settings come from its environment through one schema: a bad or missing variable
// stops the cold start with its name, its value and why, as every handler reports it.
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { functionSettings } from '#functions/commons/runtime.ts';

const pages = z.object({
  ARMING_PAGE_ITEMS: z.coerce.number().int().min(1).max(10_000).default(1000),
  TABLE_NAME: z.string().min(1),
});

describe('function settings', () => {
  it('applies defaults and coerces numbers', () => {
    expect(functionSettings('journey-arming', pages, { TABLE_NAME: 't', ARMING_PAGE_ITEMS: '3' })).toEqual({ ARMING_PAGE_ITEMS: 3, TABLE_NAME: 't' });
    expect(functionSettings('journey-arming', pages, { TABLE_NAME: 't' }).ARMING_PAGE_ITEMS).toBe(1000);
  });

  it('names the function, each bad variable, its value and why', () => {
    expect(() => functionSettings('journey-arming', pages, { ARMING_PAGE_ITEMS: '0' })).toThrow(
      /^invalid journey-arming configuration: ARMING_PAGE_ITEMS .*>=1.* \(is "0"\); TABLE_NAME /,
    );
  });
});
