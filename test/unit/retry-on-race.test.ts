// The one read -> decide -> conditional write loop: an attempt that lost its race is run again
// (told its number), the first other answer is the result, and an item that keeps changing fails
// with its name after the bounded attempts.
import { describe, expect, it } from 'vitest';
import { LOST_RACE, RACE_ATTEMPTS, retryOnRace } from '#shared/store/race.ts';

describe('retryOnRace', () => {
  it('answers the first attempt that did not lose its race, having run only those before it', async () => {
    const seen: number[] = [];
    const result = await retryOnRace('profile of customer c-1', async (n) => {
      seen.push(n);
      return n < 2 ? LOST_RACE : `written on attempt ${n}`;
    });
    expect(result).toBe('written on attempt 2');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('passes an attempt’s own answers through, falsy ones included', async () => {
    expect(await retryOnRace('x', () => Promise.resolve(undefined))).toBeUndefined();
    expect(await retryOnRace('x', () => Promise.resolve(false))).toBe(false);
    expect(await retryOnRace('x', () => Promise.resolve(null))).toBeNull();
  });

  it('gives up after the bounded attempts, naming what kept changing', async () => {
    let runs = 0;
    await expect(
      retryOnRace('lifecycle of customer c-2', () => {
        runs++;
        return Promise.resolve(LOST_RACE);
      }),
    ).rejects.toThrow(`lifecycle of customer c-2 kept changing under us (${RACE_ATTEMPTS} attempts); retrying the event`);
    expect(runs).toBe(RACE_ATTEMPTS);
    runs = 0;
    await expect(retryOnRace('slot', () => (runs++, Promise.resolve(LOST_RACE)), 3)).rejects.toThrow('(3 attempts)');
    expect(runs).toBe(3);
  });

  it('lets an error of an attempt through at once, without retrying it', async () => {
    let runs = 0;
    await expect(
      retryOnRace('x', () => {
        runs++;
        return Promise.reject(new Error('throttled'));
      }),
    ).rejects.toThrow('throttled');
    expect(runs).toBe(1);
  });
});
