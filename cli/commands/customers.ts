// `loyalty customers import <file.csv|.jsonl>`: validates every row with the Customer Upserted
// contract, reports bad rows (line, field, value) without stopping, and puts the good ones on the
// bus in PutEvents batches of 10. Resumable: <file>.import-state.json records the last line whose
// batch (and every batch before it) was acknowledged; a rerun continues after it.
import { createReadStream } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import * as z from 'zod';
import type { CustomerUpserted } from '#shared/events/contracts.ts';
import { describeRejection } from '#shared/events/rejection.ts';
import type { CommandContext, CommandModule } from '../command-module.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { csvCells, csvRecord, jsonlRow, validateRow } from '../import-rows.ts';
import { registerCustomerResubscribe, registerCustomerShow } from './customers-show.ts';
import type { Targets } from '../targets.ts';

const BATCH = 10;
const IN_FLIGHT = 8;
const SOURCE = 'shop.customers';
const DETAIL_TYPE = 'Customer Upserted';

const checkpointSchema = z.object({
  file: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  /** Every good row on a line <= this was acknowledged by the bus. */
  lastAcknowledgedLine: z.number().int().min(0),
  sent: z.number().int().min(0),
  updatedAt: z.string(),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

export interface BadRow {
  line: number;
  field: string;
  value: unknown;
  reason: string;
}

interface Pending {
  lastLine: number;
  entries: PutEventsRequestEntry[];
}

export const checkpointFile = (file: string) => `${file}.import-state.json`;

async function readCheckpoint(file: string, size: number, mtimeMs: number): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(checkpointFile(file), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = checkpointSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new CliError(
      EXIT.usage,
      `${checkpointFile(file)} is not an import checkpoint; delete it or use --restart`,
    );
  if (parsed.data.size !== size || parsed.data.mtimeMs !== mtimeMs) {
    throw new CliError(
      EXIT.usage,
      `${path.basename(file)} changed since the interrupted import (${checkpointFile(file)}); use --restart to import it from the top`,
    );
  }
  return parsed.data;
}

/** Puts one batch; entries the bus failed are retried with backoff, then it gives up (resumable). */
async function putBatch(targets: Targets, entries: PutEventsRequestEntry[]): Promise<void> {
  let remaining = entries;
  for (let attempt = 0; attempt < 5 && remaining.length; attempt++) {
    if (attempt) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    const result = await targets.eventBridge.send(new PutEventsCommand({ Entries: remaining }));
    if (!result.FailedEntryCount) return;
    remaining = remaining.filter((_, index) => result.Entries?.[index]?.ErrorCode);
  }
  if (remaining.length)
    throw new CliError(EXIT.remoteFailure, `the bus kept rejecting ${remaining.length} event(s) of a batch`);
}

function progressBar(done: number, total: number, bad: number): string {
  const share = total ? Math.min(1, done / total) : 0;
  const width = 30;
  const filled = Math.round(share * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${done} lines, ${bad} bad`;
}

export async function importCustomers(
  context: CommandContext,
  fileArg: string,
  options: { restart: boolean },
): Promise<{
  file: string;
  lines: number;
  sent: number;
  skippedAlreadyImported: number;
  bad: BadRow[];
  resumedAfterLine: number;
}> {
  const file = path.resolve(context.io.cwd, fileArg);
  const format = /\.jsonl$/i.test(file) ? 'jsonl' : /\.csv$/i.test(file) ? 'csv' : undefined;
  if (!format) throw new CliError(EXIT.usage, `${fileArg}: expected a .csv or .jsonl file`);
  const info = await stat(file).catch(() => {
    throw new CliError(EXIT.notFound, `${fileArg} not found`);
  });
  if (options.restart) await rm(checkpointFile(file), { force: true });
  const resumed = await readCheckpoint(file, info.size, info.mtimeMs);
  const resumeAfter = resumed?.lastAcknowledgedLine ?? 0;
  const targets = await context.targets();
  const interactive = Boolean((context.io.stderr as { isTTY?: boolean }).isTTY);

  const bad: BadRow[] = [];
  let sent = resumed?.sent ?? 0;
  let skipped = 0;
  let lineNo = 0;
  let header: string[] | undefined;
  let batch: Pending = { lastLine: 0, entries: [] };
  // Batches in flight, in line order; the checkpoint moves to the end of the oldest finished run.
  const inFlight: { lastLine: number; done: boolean; promise: Promise<void> }[] = [];
  let acknowledged = resumeAfter;
  let lastSave = 0;
  let lastDraw = 0;

  const saveCheckpoint = async () => {
    const checkpoint: Checkpoint = {
      file: path.basename(file),
      size: info.size,
      mtimeMs: info.mtimeMs,
      lastAcknowledgedLine: acknowledged,
      sent,
      updatedAt: new Date().toISOString(),
    };
    await writeFile(checkpointFile(file), `${JSON.stringify(checkpoint, null, 2)}\n`);
  };
  const settle = async () => {
    while (inFlight[0]?.done) acknowledged = (inFlight.shift() as { lastLine: number }).lastLine;
    if (Date.now() - lastSave > 1000) {
      lastSave = Date.now();
      await saveCheckpoint();
    }
  };
  const flush = async () => {
    if (!batch.entries.length) return;
    const { entries, lastLine } = batch;
    batch = { lastLine: 0, entries: [] };
    const slot = { lastLine, done: false, promise: Promise.resolve() };
    slot.promise = putBatch(targets, entries).then(() => {
      slot.done = true;
      sent += entries.length;
    });
    // Failures surface through the awaited oldest slot or the final sweep; never unhandled.
    slot.promise.catch(() => undefined);
    inFlight.push(slot);
    if (inFlight.length >= IN_FLIGHT) await (inFlight[0] as { promise: Promise<void> }).promise;
    await settle();
  };

  const input = createReadStream(file, 'utf8');
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const raw of lines) {
      lineNo++;
      const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (format === 'csv' && !header) {
        header = csvCells(line).map((column) => column.trim());
        continue;
      }
      if (line.trim() === '') continue;
      if (lineNo <= resumeAfter) {
        skipped++;
        continue;
      }
      const row = format === 'csv' ? validateRow(csvRecord(header ?? [], csvCells(line))) : jsonlRow(line);
      if (!row.ok) {
        for (const problem of row.problems)
          bad.push({ line: lineNo, field: problem.field, value: problem.value, reason: problem.reason });
      } else {
        batch.entries.push({
          EventBusName: targets.busName,
          Source: SOURCE,
          DetailType: DETAIL_TYPE,
          Detail: JSON.stringify(row.detail satisfies CustomerUpserted),
        });
        batch.lastLine = lineNo;
        if (batch.entries.length === BATCH) await flush();
      }
      if (interactive && Date.now() - lastDraw > 200) {
        lastDraw = Date.now();
        context.io.stderr.write(progressBar(input.bytesRead, info.size, bad.length));
      }
    }
    await flush();
    for (const slot of inFlight) await slot.promise;
    acknowledged = lineNo;
    inFlight.length = 0;
  } catch (error) {
    // Let the batches already sent finish, so the checkpoint covers as much as possible.
    await Promise.allSettled(inFlight.map((slot) => slot.promise));
    while (inFlight[0]?.done) acknowledged = (inFlight.shift() as { lastLine: number }).lastLine;
    await saveCheckpoint();
    if (error instanceof CliError) throw error;
    throw new CliError(
      EXIT.remoteFailure,
      `import stopped at line ${acknowledged}: ${(error as Error).message}; run the same command again to resume`,
    );
  } finally {
    lines.close();
    if (interactive) context.io.stderr.write(`${progressBar(info.size, info.size, bad.length)}\n`);
  }
  await rm(checkpointFile(file), { force: true });
  return {
    file: fileArg,
    lines: lineNo,
    sent,
    skippedAlreadyImported: skipped,
    bad,
    resumedAfterLine: resumeAfter,
  };
}

const SHOWN_BAD_ROWS = 20;

export const customersCommands: CommandModule = {
  register(program, context) {
    const customers = program.command('customers').description('import and inspect customers');
    registerCustomerShow(customers, context);
    registerCustomerResubscribe(customers, context);
    customers
      .command('import')
      .description('validate a .csv or .jsonl file of customers and put the good rows on the bus (resumable)')
      .argument('<file>')
      .option('--restart', 'ignore an interrupted import and start from the top', false)
      .action(async (file: string, options: { restart: boolean }) => {
        const result = await importCustomers(context, file, options);
        context
          .out()
          .result(result, () =>
            [
              `${result.sent} customer(s) sent to the bus from ${result.file}${result.resumedAfterLine ? ` (resumed after line ${result.resumedAfterLine})` : ''}; ${result.bad.length} problem(s) in bad rows`,
              ...result.bad
                .slice(0, SHOWN_BAD_ROWS)
                .map((row) => `  line ${row.line}: ${describeRejection(row)}`),
              ...(result.bad.length > SHOWN_BAD_ROWS
                ? [`  ... and ${result.bad.length - SHOWN_BAD_ROWS} more (use --json for all)`]
                : []),
            ].join('\n'),
          );
      });
  },
};
