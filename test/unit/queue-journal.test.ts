// The local queues' journal: what was put and not acked comes back after a restart, in put order,
// whatever a crash left at the end of the file; the rewrite at start keeps only what is queued.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueJournal } from '#infra/local/queue-journal.ts';
import type { LocalMessage } from '#infra/local/queues.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const journalFile = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'queue-journal-'));
  dirs.push(dir);
  return path.join(dir, 'queues.journal');
};
const message = (id: string, body = `body of ${id}`): LocalMessage => ({
  messageId: id,
  body,
  attributes: { rejections: { dataType: 'String', stringValue: '[]' } },
  receiveCount: 0,
  sentAt: 1,
  visibleAtSim: 2,
  retryAtReal: 3,
});

describe('queue journal', () => {
  it('gives back what was put and not acked, per queue in put order, with the latest receive count', async () => {
    const file = journalFile();
    const { journal } = await QueueJournal.open(file);
    journal.put('order-events', message('a'));
    journal.put('order-events', message('b'));
    journal.put('send-requests', message('c'));
    journal.ack('order-events', 'a');
    journal.put('order-events', { ...message('b'), receiveCount: 2 });
    await journal.flush();
    // SIGKILL here: no close. A torn line at the end is what a crash mid-write would leave.
    appendFileSync(file, '{"op":"put","queue":"order-events","mess');

    const { journal: reopened, queued } = await QueueJournal.open(file);
    expect(queued.get('order-events')).toEqual([{ ...message('b'), receiveCount: 2, retryAtReal: 0 }]);
    expect(queued.get('send-requests')?.map((m) => m.messageId)).toEqual(['c']);
    // Rewritten at start: one line per queued message.
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    await reopened.close();
  });

  it('writes lines appended during a flush with the next one, and nothing after close', async () => {
    const file = journalFile();
    const { journal } = await QueueJournal.open(file);
    journal.put('q', message('a'));
    const first = journal.flush();
    journal.put('q', message('b'));
    await Promise.all([first, journal.flush()]);
    await journal.close();
    journal.ack('q', 'a');
    const { journal: reopened, queued } = await QueueJournal.open(file);
    expect(queued.get('q')?.map((m) => m.messageId)).toEqual(['a', 'b']);
    await reopened.close();
  });
});
