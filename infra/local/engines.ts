// The embedded engines behind the local runtime and the integration tests: dynalite for
// DynamoDB and aws-ses-v2-local for SES v2, each on a loopback port (0 = any free port).
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import sesLocalModule from 'aws-ses-v2-local';
import * as z from 'zod';
import type { ItemKey } from '#shared/store/keys.ts';
import { ensureTable } from '#shared/store/table.ts';
import { inProcessRequestHandler, localSigner } from './dynamo-in-process.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './credentials.ts';

export interface Engine {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

export interface DynamoEngine extends Engine {
  server: Server;
  /**
   * Calls `listener` with the key of every item a write request names, as the request arrives,
   * while `watching()` says someone is waiting for a write (otherwise the body is not parsed).
   */
  onWrite(listener: (key: ItemKey) => void, watching?: () => boolean): void;
}

/** dynalite in memory, or persisted under `path` (LevelDB). */
export async function startDynamo(options: { port?: number; path?: string } = {}): Promise<DynamoEngine> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  const writeListeners: WriteListener[] = [];
  watchWrites(server, writeListeners);
  const port = await listen(server, options.port ?? 0);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    server,
    onWrite: (listener, watching = () => true) => writeListeners.push({ listener, watching }),
    close: () => closeServer(server),
  };
}

const WRITE_TARGETS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

interface WriteListener {
  listener: (key: ItemKey) => void;
  watching: () => boolean;
}

/**
 * Reports the item keys of write requests (over HTTP or in-process alike) before dynalite
 * answers them: the local runtime's idle schedules sleep until the item they watch is written.
 */
function watchWrites(server: Server, all: readonly WriteListener[]): void {
  server.prependListener('request', (request: IncomingMessage) => {
    const listeners = all.filter((l) => l.watching());
    if (listeners.length === 0) return;
    const target = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (!WRITE_TARGETS.has(target)) return;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      for (const key of writtenKeys(Buffer.concat(chunks).toString('utf8')))
        for (const { listener } of listeners) listener(key);
    });
  });
}

const attributeValue = z.object({ S: z.string() });
const keyShape = z.object({ PK: attributeValue, SK: attributeValue });
const writeShape = z.object({
  Key: keyShape.optional(),
  Item: keyShape.optional(),
  RequestItems: z
    .record(
      z.string(),
      z.array(
        z.object({
          PutRequest: z.object({ Item: keyShape }).optional(),
          DeleteRequest: z.object({ Key: keyShape }).optional(),
        }),
      ),
    )
    .optional(),
});

function writtenKeys(body: string): ItemKey[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return []; // dynalite answers the malformed body itself
  }
  const parsed = writeShape.safeParse(json);
  if (!parsed.success) return [];
  const { Key, Item, RequestItems = {} } = parsed.data;
  const named = [Key, Item, ...Object.values(RequestItems).flat().map((w) => w.PutRequest?.Item ?? w.DeleteRequest?.Key)];
  return named.flatMap((key) => (key ? [{ PK: key.PK.S, SK: key.SK.S }] : []));
}

/** SES local engines open in this process: they share one store (below). */
let openSesEngines = 0;

export async function startSes(options: { port?: number } = {}): Promise<Engine> {
  // The package is CommonJS with an ESM-style default export; under Node's interop it arrives nested.
  const sesLocal = (sesLocalModule as unknown as { default: typeof sesLocalModule }).default ?? sesLocalModule;
  const server = await sesLocal({ host: '127.0.0.1', port: options.port ?? 0 });
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  // aws-ses-v2-local keeps its emails in a module-level store, so an engine started after another
  // stopped in the same process (the bench's sections, one after the other) would list the
  // earlier engine's emails as its own — links to a port now closed. The first engine open starts
  // from an empty store; engines open side by side still share it.
  if (openSesEngines === 0) await fetch(`${endpoint}/clear-store`, { method: 'POST' });
  openSesEngines++;
  let closed = false;
  return {
    endpoint,
    port,
    close: async () => {
      if (!closed) openSesEngines--;
      closed = true;
      await closeServer(server);
    },
  };
}

/** A client of the engine at `endpoint`; given the engine's server, it calls it in-process (no socket). */
export function localDynamoClient(endpoint: string, inProcess?: Server): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 3,
    ...(inProcess ? { requestHandler: inProcessRequestHandler(inProcess), signer: localSigner } : {}),
  });
}

/** The engine (still listening for the CLI and other processes) and an in-process client of it. */
export async function startDynamoWithTable(tableName: string, options: { port?: number; path?: string } = {}) {
  const engine = await startDynamo(options);
  const client = localDynamoClient(engine.endpoint, engine.server);
  await ensureTable(client, tableName);
  return { engine, client };
}
