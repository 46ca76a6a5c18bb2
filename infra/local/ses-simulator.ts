// Stands in for SES event publishing on a laptop, where SES local publishes nothing: turns the
// emails SES local accepted into the "Email Sent" / "Email Delivered" events SES would put on the
// default bus (so the sender's crash recovery and the counters work as in AWS), and simulates a
// hard bounce or a complaint for an address (POST /_local/ses/bounce|complaint {email}). A journey
// can be given bounce and complaint rates (POST /_local/ses/inject), so its guardrail can be seen
// tripping: its emails then bounce or draw complaints in exactly that proportion, in send order.
import { randomUUID } from 'node:crypto';
import type { Clock } from '#shared/domain/clock.ts';
import { type SesLocalStoredEmail, sentMailFromSesLocal, sesEvent } from '#shared/mail/ses-events.ts';

/** The slice of the local runtime the simulator needs. */
export interface SesSimulatorHost {
  clock: Clock;
  emails(): Promise<SesLocalStoredEmail[]>;
  putEvents(entries: { source: string; detailType: string; detail: unknown; busName?: string }[]): unknown;
}

export const SES_EVENTS_BUS = 'default';

/** The configuration set every local send names (SES_CONFIGURATION_SET), as the stack's sender does. */
export const LOCAL_CONFIGURATION_SET = 'loyalty-flows';

/** Feedback rates injected for one journey's emails, in percent of its sends. */
export interface InjectedFeedback {
  hardBouncePercent: number;
  complaintPercent: number;
}

interface InjectionTally extends InjectedFeedback {
  sends: number;
  bounced: number;
  complained: number;
}

export class SesSimulator {
  readonly #published = new Set<string>();
  readonly #injected = new Map<string, InjectionTally>();

  constructor(private readonly host: SesSimulatorHost) {}

  /**
   * From now on, `journeyId`'s emails hard-bounce and draw complaints at these rates (0 stops it).
   * Deterministic: after n sends from now, floor(n × rate) of them have bounced.
   */
  injectFeedback(journeyId: string, rates: InjectedFeedback): void {
    this.#injected.set(journeyId, { sends: 0, bounced: 0, complained: 0, ...rates });
  }

  /** True while some journey has feedback injected: the runtime then publishes sends as the clock moves. */
  get injecting(): boolean {
    return this.#injected.size > 0;
  }

  /**
   * Publishes "Email Sent" and "Email Delivered" once for every email accepted since the last
   * call; an email of a journey with injected feedback bounces instead of being delivered, or is
   * delivered and then complained about.
   */
  async publishNewSends(): Promise<number> {
    const fresh = (await this.host.emails()).filter((email) => !this.#published.has(email.messageId));
    const now = this.host.clock.now();
    const events = fresh.flatMap((email) => {
      this.#published.add(email.messageId);
      const mail = sentMailFromSesLocal(email, LOCAL_CONFIGURATION_SET);
      const outcome = this.#injectedOutcome(mail.tags?.campaign);
      const kinds =
        outcome === 'bounce' ? (['send', 'bounce'] as const)
        : outcome === 'complaint' ? (['send', 'delivery', 'complaint'] as const)
        : (['send', 'delivery'] as const);
      return kinds.map((kind) => ({ ...sesEvent(kind, mail, now), busName: SES_EVENTS_BUS }));
    });
    for (let i = 0; i < events.length; i += 10) await this.host.putEvents(events.slice(i, i + 10));
    return fresh.length;
  }

  #injectedOutcome(journeyId: string | undefined): 'bounce' | 'complaint' | undefined {
    const tally = journeyId ? this.#injected.get(journeyId) : undefined;
    if (!tally) return undefined;
    tally.sends++;
    if (Math.floor((tally.sends * tally.hardBouncePercent) / 100) > tally.bounced) {
      tally.bounced++;
      return 'bounce';
    }
    if (Math.floor((tally.sends * tally.complaintPercent) / 100) > tally.complained) {
      tally.complained++;
      return 'complaint';
    }
    return undefined;
  }

  /**
   * A hard bounce or complaint for the latest email SES local holds for `address` (tags and all),
   * or for a synthetic one if the address was never mailed: suppression is by address either way.
   */
  async feedback(kind: 'bounce' | 'complaint', address: string): Promise<{ messageId: string }> {
    const emails = await this.host.emails();
    const latest = emails
      .filter((email) => email.destination.to.some((to) => to.toLowerCase() === address.toLowerCase()))
      .at(-1);
    const mail = latest
      ? sentMailFromSesLocal(latest, LOCAL_CONFIGURATION_SET)
      : { messageId: `local-${randomUUID()}`, to: address, configurationSet: LOCAL_CONFIGURATION_SET };
    await this.host.putEvents([{ ...sesEvent(kind, mail, this.host.clock.now()), busName: SES_EVENTS_BUS }]);
    return { messageId: mail.messageId };
  }
}
