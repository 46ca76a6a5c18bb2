// Keeps the local queues' contents on disk when the runtime has a data dir, so what it
// acknowledged survives a crash as it would in SQS: every message put on a queue is appended to
// an append-only journal (one JSON line), which is fsync'd before the caller that put it gets its
// 200; a delivered message's ack appends a line too. On start the journal is replayed (put, then
// ack, per queue and message id) and rewritten with only what is still queued.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import type { LocalMessage } from './queues.ts';

/** What a queue tells its journal: a message put (or put back after a failed delivery), or acked. */
export interface QueueLog {
  put(queue: string, message: LocalMessage): void;
  ack(queue: string, messageId: string): void;
}

const messageSchema = z.object({
  messageId: z.string(),
  body: z.string(),
  attributes: z.record(
    z.string(),
    z.object({
      dataType: z.string(),
      stringValue: z.string().optional(),
      binaryValue: z.string().optional(),
      stringListValues: z.array(z.string()).optional(),
      binaryListValues: z.array(z.string()).optional(),
    }),
  ),
  receiveCount: z.number(),
  sentAt: z.number(),
  visibleAtSim: z.number(),
  retryAtReal: z.number(),
}) satisfies z.ZodType<LocalMessage>;

const journalLine = z.discriminatedUnion('op', [
  z.object({ op: z.literal('put'), queue: z.string(), message: messageSchema }),
  z.object({ op: z.literal('ack'), queue: z.string(), messageId: z.string() }),
]);
type JournalLine = z.infer<typeof journalLine>;

/** The journal is rewritten once it is this much larger than the messages still queued need. */
const COMPACT_SLACK_BYTES = 8 * 1024 * 1024;

export class QueueJournal implements QueueLog {
  /** The line of every message still queued, by queue and id: what a compaction writes. */
  readonly #live = new Map<string, string>();
  #pending: string[] = [];
  #appended = 0;
  #written = 0;
  #flushing: Promise<void> | undefined;
  #flushSoon: NodeJS.Immediate | undefined;
  #bytes = 0;
  #compactAbove = COMPACT_SLACK_BYTES;
  #closed = false;

  private constructor(
    private readonly file: string,
    private handle: FileHandle,
  ) {}

  /**
   * Opens (or creates) the journal at `file` and returns it with the messages still queued, in
   * the order they were put. A torn last line (a crash mid-write) is ignored: its put was never
   * acknowledged to anyone.
   */
  static async open(file: string): Promise<{ journal: QueueJournal; queued: Map<string, LocalMessage[]> }> {
    mkdirSync(path.dirname(file), { recursive: true });
    const live = new Map<string, { queue: string; message: LocalMessage }>();
    if (existsSync(file)) {
      for (const text of readFileSync(file, 'utf8').split('\n')) {
        const line = parseLine(text);
        if (line?.op === 'put') live.set(key(line.queue, line.message.messageId), line);
        else if (line?.op === 'ack') live.delete(key(line.queue, line.messageId));
      }
    }
    const lines = new Map<string, string>();
    const queued = new Map<string, LocalMessage[]>();
    for (const [id, entry] of live) {
      lines.set(id, JSON.stringify({ op: 'put', ...entry }));
      const messages = queued.get(entry.queue);
      if (messages) messages.push(entry.message);
      else queued.set(entry.queue, [entry.message]);
    }
    writeDurably(file, [...lines.values()]);
    const journal = new QueueJournal(file, await open(file, 'a'));
    for (const [id, line] of lines) journal.#live.set(id, line);
    journal.#sized();
    return { journal, queued };
  }

  put(queue: string, message: LocalMessage): void {
    const line = JSON.stringify({
      op: 'put',
      queue,
      message: { ...message, retryAtReal: 0 },
    } satisfies JournalLine);
    this.#live.set(key(queue, message.messageId), line);
    this.#append(line);
  }

  ack(queue: string, messageId: string): void {
    this.#live.delete(key(queue, messageId));
    this.#append(JSON.stringify({ op: 'ack', queue, messageId } satisfies JournalLine));
  }

  /**
   * Resolves once every line appended so far is on disk (fsync'd). Concurrent callers share
   * one write and one fsync (group commit), so a burst of PutEvents costs one disk flush.
   */
  async flush(): Promise<void> {
    const target = this.#appended;
    while (this.#written < target) {
      this.#flushing ??= this.#writeBatch().finally(() => {
        this.#flushing = undefined;
      });
      await this.#flushing;
    }
  }

  async close(): Promise<void> {
    if (this.#flushSoon) clearImmediate(this.#flushSoon);
    await this.flush();
    this.#closed = true;
    await this.handle.close();
  }

  #append(line: string): void {
    // A handler still finishing after stop: its ack is not written, so the message comes again.
    if (this.#closed) return;
    this.#pending.push(line);
    this.#appended++;
    // Lines nobody waits for (acks, in-process puts) still reach the disk promptly.
    this.#flushSoon ??= setImmediate(() => {
      this.#flushSoon = undefined;
      // A failed write surfaces where a caller awaits it (the 200 to PutEvents); here it only waits.
      this.flush().catch(() => undefined);
    });
  }

  async #writeBatch(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length > 0) {
      const text = `${batch.join('\n')}\n`;
      try {
        await this.handle.write(text);
        await this.handle.datasync();
      } catch (error) {
        // Not on disk: the lines go first into the next attempt (a put written twice replays once).
        this.#pending = [...batch, ...this.#pending];
        throw error;
      }
      this.#bytes += Buffer.byteLength(text);
    }
    this.#written += batch.length;
    if (this.#bytes > this.#compactAbove) await this.#compact();
  }

  /**
   * Rewrites the journal as the messages still queued (a new file renamed over the old one, so a
   * crash leaves one or the other whole). Lines appended meanwhile are still pending and follow
   * in the new file; replaying them again over the snapshot changes nothing.
   */
  async #compact(): Promise<void> {
    const lines = [...this.#live.values()];
    await this.handle.close();
    writeDurably(this.file, lines);
    this.handle = await open(this.file, 'a');
    this.#sized();
  }

  /** After a rewrite the file holds only the live lines; the next rewrite waits for as much slack again. */
  #sized(): void {
    this.#bytes = [...this.#live.values()].reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
    this.#compactAbove = this.#bytes + COMPACT_SLACK_BYTES;
  }
}

function key(queue: string, messageId: string): string {
  return `${queue}\u0000${messageId}`;
}

function parseLine(text: string): JournalLine | undefined {
  if (!text) return undefined;
  try {
    const parsed = journalLine.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `lines` to a temporary file, fsyncs it, renames it over `file` and fsyncs the folder. */
function writeDurably(file: string, lines: string[]): void {
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    if (lines.length > 0) writeSync(fd, `${lines.join('\n')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  const folder = openSync(path.dirname(file), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}
