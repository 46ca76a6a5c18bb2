// The local runtime's clock. It either follows real time from a chosen start (the default for
// `npm start`) or stands still until moved (tests). Moving it forward is how a marketer
// simulates a week or a year: POST /_local/clock {"advanceTo": ...}.
import type { Clock } from '#shared/domain/clock.ts';

export class SimulatedClock implements Clock {
  #offsetMs: number;
  #frozenAt: number | undefined;

  constructor(start: Date, options: { frozen: boolean }) {
    this.#offsetMs = start.getTime() - Date.now();
    this.#frozenAt = options.frozen ? start.getTime() : undefined;
  }

  get frozen(): boolean {
    return this.#frozenAt !== undefined;
  }

  now(): Date {
    return new Date(this.#frozenAt ?? Date.now() + this.#offsetMs);
  }

  /** Moves the clock to `to`; refuses to go backwards (timers and ledgers assume monotonic time). */
  set(to: Date): void {
    if (to.getTime() < this.now().getTime()) {
      throw new Error(`the clock cannot go back: it is ${this.now().toISOString()}, asked for ${to.toISOString()}`);
    }
    if (this.#frozenAt !== undefined) this.#frozenAt = to.getTime();
    else this.#offsetMs = to.getTime() - Date.now();
  }
}
