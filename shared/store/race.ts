// The optimistic-write loop every read -> decide -> conditional write repeats: when the write
// loses its race (another writer changed the item between the read and the write), read and
// decide again. A bounded number of times: an item that keeps changing fails the call, and the
// event that asked is redelivered by its queue.

/** What an attempt answers when its conditional write did not hold: read again, decide again. */
export const LOST_RACE: unique symbol = Symbol('lost race');
export type LostRace = typeof LOST_RACE;

/** Attempts a customer's own items get: concurrent writers of one customer are few. */
export const RACE_ATTEMPTS = 8;

/**
 * Runs `attempt` (given its number, from 0) until it answers something other than LOST_RACE, at
 * most `attempts` times; then throws, naming `what` kept changing.
 */
export async function retryOnRace<T>(
  what: string,
  attempt: (n: number) => Promise<T | LostRace>,
  attempts = RACE_ATTEMPTS,
): Promise<T> {
  for (let n = 0; n < attempts; n++) {
    const outcome = await attempt(n);
    if (outcome !== LOST_RACE) return outcome;
  }
  throw new Error(`${what} kept changing under us (${attempts} attempts); retrying the event`);
}
