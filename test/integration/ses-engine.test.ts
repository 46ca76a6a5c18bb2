// SES local keeps its emails in one store per process: an engine started after another stopped
// must not list the earlier engine's emails (the bench runs its sections one after the other, and
// the living shop follows the unsubscribe links of the emails it lists).
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/credentials.ts';
import { type Engine, startSes } from '#infra/local/engines.ts';

const send = (engine: Engine, to: string) =>
  new SESv2Client({ endpoint: engine.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }).send(
    new SendEmailCommand({
      FromEmailAddress: 'rewards@loyalty-flows.local',
      Destination: { ToAddresses: [to] },
      Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello' } } } },
    }),
  );

const listed = async (engine: Engine) =>
  ((await (await fetch(`${engine.endpoint}/store`)).json()) as { emails: { destination: { to: string[] } }[] }).emails.map(
    (email) => email.destination.to,
  );

describe('SES local engines in one process', () => {
  it('a later engine starts from an empty store; engines open side by side share it', async () => {
    const first = await startSes();
    await send(first, 'first@example.com');
    expect(await listed(first)).toHaveLength(1);
    await first.close();

    const second = await startSes();
    expect(await listed(second)).toEqual([]);
    await send(second, 'second@example.com');
    const third = await startSes(); // while the second is open: nothing of the second's is lost
    expect(await listed(third)).toHaveLength(1);
    await third.close();
    await second.close();
  });
});
