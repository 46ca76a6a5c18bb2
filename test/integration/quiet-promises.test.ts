// The local clock skips a schedule's ticks while the schedule has promised quiet: a working run may
// promise too (the scheduler's plan as its release left it), as long as nobody but the run itself
// wrote the item it watches while it ran; anyone else's write then, or later, wakes it.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';

const START = Date.parse('2027-03-13T00:00:00Z');
const MINUTE = 60_000;
const WATCHED = { PK: 'PROBE', SK: 'STATE' };

describe('quiet promises of scheduled functions', () => {
  let local: LocalRuntime | undefined;
  afterEach(async () => {
    await local?.stop();
    local = undefined;
  });

  /**
   * A schedule every 5 minutes watching one item: at 00:05 an idle answer, quiet until 00:10; at
   * 00:10 a working run that writes the item itself and promises quiet until 01:00; afterwards idle
   * answers, quiet until 01:00. Returns how often it ran before 00:59.
   */
  async function probe(foreignWriteWhileWorking: boolean): Promise<number> {
    local = await startLocal({ now: new Date(START), shippedJourneys: false });
    const runtime = local;
    const write = (by: string) =>
      runtime.doc.send(new PutCommand({ TableName: runtime.tableName, Item: { ...WATCHED, by } }));
    const at = (minutes: number) => new Date(START + minutes * MINUTE).toISOString();
    let runs = 0;
    runtime.schedules.push({
      name: 'simulation:probe',
      everyMs: 5 * MINUTE,
      nextAt: START + 5 * MINUTE,
      watchedWrites: 0,
      invoke: async () => {
        runs++;
        if (runs === 1) return { quietUntil: at(10), quietUnlessWritten: WATCHED };
        if (runs > 2) return { quietUntil: at(60), quietUnlessWritten: WATCHED };
        await write('the run itself'); // its lease, its release
        if (foreignWriteWhileWorking) await write('someone else'); // e.g. an arm's nudge
        return { quietUntil: at(60), quietUnlessWritten: WATCHED, ownStateWrites: 1 };
      },
    });
    await runtime.advanceTo(new Date(START + 59 * MINUTE));
    return runs;
  }

  it("keeps a working run's promise when only the run itself wrote the item it watches", async () => {
    expect(await probe(false)).toBe(2);
  });

  it('voids it when someone else wrote the item while the run worked: the next tick looks again', async () => {
    expect(await probe(true)).toBe(3);
  });
});
