// Stands in for SES event publishing on a laptop, where SES local publishes nothing: turns the
// emails SES local accepted into the "Email Sent" / "Email Delivered" events SES would put on the
// default bus (so the sender's crash recovery and the counters work as in AWS), and simulates a
// hard bounce or a complaint for an address (POST /_local/ses/bounce|complaint {email}).
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

export class SesSimulator {
  readonly #published = new Set<string>();

  constructor(private readonly host: SesSimulatorHost) {}

  /** Publishes "Email Sent" and "Email Delivered" once for every email accepted since the last call. */
  async publishNewSends(): Promise<number> {
    const fresh = (await this.host.emails()).filter((email) => !this.#published.has(email.messageId));
    const now = this.host.clock.now();
    const events = fresh.flatMap((email) => {
      this.#published.add(email.messageId);
      const mail = sentMailFromSesLocal(email);
      return [sesEvent('send', mail, now), sesEvent('delivery', mail, now)].map((event) => ({
        ...event,
        busName: SES_EVENTS_BUS,
      }));
    });
    for (let i = 0; i < events.length; i += 10) await this.host.putEvents(events.slice(i, i + 10));
    return fresh.length;
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
    const mail = latest ? sentMailFromSesLocal(latest) : { messageId: `local-${randomUUID()}`, to: address };
    await this.host.putEvents([{ ...sesEvent(kind, mail, this.host.clock.now()), busName: SES_EVENTS_BUS }]);
    return { messageId: mail.messageId };
  }
}
