// The whole product on one machine: dynalite, SES v2 local, and in-process stand-ins for
// EventBridge, SQS, Lambda and the scheduler, all wired from infra/wiring.ts exactly as the
// CDK stack wires AWS. Handlers are the real ones, built with clients pointed at loopback.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import type { SQSMessageAttributes } from 'aws-lambda';
import { documentClient, type Runtime } from '#functions/commons/runtime.ts';
import { deployedProgram, PROGRAM_JSON_ENV } from '#shared/config/deployed-program.ts';
import { CONSOLE_AUTH_ENV } from '#shared/console/http.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import { EMAIL_HISTORY_DEFAULT_DAYS, EMAIL_HISTORY_ENV } from '#shared/domain/email-history.ts';
import { busEnvelope } from '#shared/events/contracts.ts';
import type { ItemKey } from '#shared/store/keys.ts';
import { publishShippedJourneys, type ShippedOutcome } from '#shared/journeys/shipped.ts';
import { JourneyCatalogue } from '#shared/store/journeys.ts';
import { DEFAULT_TABLE_NAME } from '#shared/store/table.ts';
import {
  DEFAULT_BUS_NAME,
  ENV,
  type EventPattern,
  type FunctionName,
  type FunctionWiring,
  functions,
  functionUrlEnv,
  eventBridgePattern,
  matchesEventPattern,
  type QueueName,
  queues,
  queueUrlEnv,
  type ScheduledInvocation,
} from '../wiring.ts';
import type { PutEventsEntry, PutEventsResultEntry } from './aws-api.ts';
import { SimulatedClock } from './clock.ts';
import { writeProgramJson } from './program-json.ts';
import { handleHttp } from './control.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './credentials.ts';
import { type Engine, startDynamoWithTable, startSes } from './engines.ts';
import { QueueJournal } from './queue-journal.ts';
import { type BatchHandler, deliverBatch, LocalQueue } from './queues.ts';
import { LOCAL_CONFIGURATION_SET, SesSimulator } from './ses-simulator.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export interface LocalOptions {
  /** Simulated start instant; default: now. */
  now?: string | Date;
  /** Follow real time from `now` (npm start) instead of standing still until advanced (tests). */
  followRealTime?: boolean;
  /**
   * Everything in memory (default), or a folder that survives restarts: DynamoDB (LevelDB) in
   * `dynamodb/`, and the queues' journal, so messages it acknowledged are delivered after a crash.
   */
  dataDir?: string;
  /** 'random' picks free ports (tests); numbers are the defaults for npm start. */
  ports?: 'random' | { aws: number; dynamo: number; ses: number };
  busName?: string;
  tableName?: string;
  /** Days the email history is kept (default 400): `EMAIL_HISTORY_DAYS=… npm start`, as `-c emailHistoryDays` deploys. */
  emailHistoryDays?: number;
  /** Extra environment for every function (rates, secrets, public URL ...). */
  env?: Record<string, string>;
  /** Lets a test wrap a function's runtime, e.g. to inject SES faults or a crash. */
  wrapRuntime?: (name: FunctionName, runtime: Runtime, endpoints: LocalEndpoints) => Runtime;
  /** Handler log level; tests keep the default SILENT, npm start shows warnings. */
  logLevel?: 'SILENT' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';
  /**
   * Publish the shipped journeys (campaigns/*.yaml: birthday, tier-upgrade, win-back …) as version
   * 1 of each journey not yet published, as a deployment's first `campaigns publish` does. Default
   * true (all of them); a list publishes only those ids; false starts with no journey at all.
   */
  shippedJourneys?: boolean | readonly string[];
}

export interface LocalEndpoints {
  aws: string;
  dynamo: string;
  ses: string;
}

export interface LocalEvent {
  source: string;
  detailType: string;
  detail: unknown;
  time?: Date;
  busName?: string;
}

export interface DeadLetter {
  queue: string;
  messageId: string;
  body: string;
  receiveCount: number;
  rejections: unknown;
  rejectedBy: string | undefined;
}

interface Consumer {
  name: FunctionName;
  queue: LocalQueue;
  handler: BatchHandler;
  concurrency: number;
  active: number;
}

interface Schedule {
  /** A scheduled function, or a simulation of the world around the product (the sample shop). */
  name: FunctionName | `simulation:${string}`;
  everyMs: number;
  nextAt: number;
  invoke: (at: Date) => Promise<unknown>;
  /**
   * A scheduled function may answer `{ quietUntil: ISO }`: it has nothing to do before then
   * unless other work changes the data. advanceTo then skips those ticks (a simulated year
   * runs in seconds). Any delivered message cancels the promise, unless the function also named
   * the one item its idle check reads (`quietUnlessWritten`, e.g. the scheduler's state, which
   * every arm that matters nudges): then only a write to that item cancels it.
   */
  quietUntil?: number | undefined;
  quietUnlessWritten?: string | undefined;
  /** Writes to the watched item so far: anyone else's write while the function runs voids its promise. */
  watchedWrites: number;
}

export interface AdvanceOptions {
  /**
   * Fire every schedule instant on the way, quiet or not, as AWS would: the reference that
   * skipping quiet ticks is checked against (same sends, same report), and slower.
   */
  everyInstant?: boolean;
}

export type UrlHandler = (event: unknown) => Promise<unknown>;

export class LocalRuntime {
  readonly queues = new Map<string, LocalQueue>();
  readonly consumers: Consumer[] = [];
  readonly schedules: Schedule[] = [];
  readonly urlRoutes = new Map<string, UrlHandler>();
  readonly runtimes = new Map<FunctionName, Runtime>();
  /** Stands in for SES event publishing: sends/deliveries of accepted emails, bounces, complaints. */
  readonly sesEvents: SesSimulator = new SesSimulator(this);
  /** What publishing the shipped journeys did at start (none when `shippedJourneys: false`). */
  shipped: ShippedOutcome = { published: [], alreadyPublished: [], problems: [] };
  #ticker: NodeJS.Timeout | undefined;
  #advancing = false;
  /** Drain checks waiting for a consumer to stop. */
  readonly #drainers: (() => void)[] = [];

  constructor(
    readonly clock: SimulatedClock,
    readonly busName: string,
    readonly tableName: string,
    readonly endpoints: LocalEndpoints,
    /** The table as the runtime itself sees it: never a function's fault-injected or metered client. */
    readonly doc: DynamoDBDocumentClient,
    private readonly servers: { aws: Server; dynamo: Engine; ses: Engine },
    /** With a data dir: where the queues write down what they hold. */
    readonly journal?: QueueJournal,
  ) {}

  /**
   * Resolves once every message put so far is on disk (at once without a data dir): the front
   * door awaits it before it answers a PutEvents or SendMessage, as SQS does before its 200.
   */
  persisted(): Promise<void> {
    return this.journal?.flush() ?? Promise.resolve();
  }

  runtimeFor(name: FunctionName): Runtime {
    const runtime = this.runtimes.get(name);
    if (!runtime) throw new Error(`no local function ${name}`);
    return runtime;
  }

  queueUrl(name: string): string {
    return `${this.endpoints.aws}/queue/${name}`;
  }

  /** Routes events like the bus: each matching rule's queue gets a copy of the envelope. */
  putEvents(entries: LocalEvent[]): string[] {
    return entries.map((entry) => {
      const id = randomUUID();
      const envelope = {
        ...busEnvelope(id, entry, entry.time ?? this.clock.now()),
        account: '000000000000',
        region: LOCAL_REGION,
      };
      const role = busRole(entry.busName ?? this.busName, this.busName);
      for (const { queue, patterns } of EVENT_ROUTES) {
        if (patterns.some((pattern) => pattern.bus === role && matchesEventPattern(pattern.rule, envelope)))
          this.queueFor(queue).send(JSON.stringify(envelope));
      }
      this.kick();
      return id;
    });
  }

  /**
   * PutEvents as the SDK sends it (Detail a JSON string, Time epoch seconds or ISO). Like
   * EventBridge, every entry is checked before any is put and answered on its own: an invalid
   * entry fails alone, so a client that retries only the failed entries duplicates nothing.
   */
  putSdkEvents(entries: PutEventsEntry[]): PutEventsResultEntry[] {
    const checked = entries.map((entry) => this.#checkSdkEntry(entry));
    return checked.map((entry) => ('ErrorCode' in entry ? entry : { EventId: this.putEvents([entry])[0] }));
  }

  #checkSdkEntry(entry: PutEventsEntry): LocalEvent | Required<Omit<PutEventsResultEntry, 'EventId'>> {
    const invalid = (ErrorMessage: string) => ({ ErrorCode: 'InvalidArgument', ErrorMessage });
    if (typeof entry.Source !== 'string' || !entry.Source) return invalid('Parameter Source is not valid.');
    if (typeof entry.DetailType !== 'string' || !entry.DetailType)
      return invalid('Parameter DetailType is not valid.');
    if (typeof entry.Detail !== 'string') return invalid('Parameter Detail is not valid.');
    const bus = entry.EventBusName ?? 'default';
    if (bus !== this.busName && bus !== 'default') {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed: it must be a JSON object.' };
    }
    const time =
      entry.Time === undefined
        ? undefined
        : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time);
    if (time && Number.isNaN(time.getTime())) return invalid('Parameter Time is not valid.');
    return { source: entry.Source, detailType: entry.DetailType, detail, time, busName: bus };
  }

  sendMessage(
    queueUrl: string,
    body: string,
    attributes: SQSMessageAttributes,
    delaySeconds: number,
  ): string {
    const name = queueUrl.split('/queue/')[1];
    const queue = name ? this.queues.get(name) : undefined;
    if (!queue) throw new Error(`no local queue at ${queueUrl}`);
    const message = queue.send(body, attributes, Math.min(900, Math.max(0, delaySeconds)));
    this.kick();
    return message.messageId;
  }

  queueFor(name: string): LocalQueue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`no local queue ${name}`);
    return queue;
  }

  /** Starts delivery on every queue that has due messages, up to each consumer's concurrency. */
  kick(): void {
    for (const consumer of this.consumers) {
      while (consumer.active < consumer.concurrency && this.#hasTakeable(consumer.queue)) {
        consumer.active++;
        void this.#work(consumer).finally(() => {
          consumer.active--;
          this.#wakeDrainers();
        });
      }
    }
  }

  /** Resolves every pending drain check: a consumer stopped, so idleness must be looked at again. */
  #wakeDrainers(): void {
    for (const wake of this.#drainers.splice(0)) wake();
  }

  #hasTakeable(queue: LocalQueue): boolean {
    const nowSim = this.clock.now().getTime();
    const nowReal = Date.now();
    return queue.messages.some((m) => m.visibleAtSim <= nowSim && m.retryAtReal <= nowReal);
  }

  async #work(consumer: Consumer): Promise<void> {
    while (
      (await deliverBatch(
        consumer.queue,
        consumer.handler,
        `arn:aws:sqs:local:000000000000:${consumer.queue.name}`,
      )) > 0
    ) {
      for (const schedule of this.schedules) if (!schedule.quietUnlessWritten) schedule.quietUntil = undefined;
    }
  }

  /** An item was written (the DynamoDB engine reports every write): wakes the schedules watching it. */
  noteWrite(key: ItemKey): void {
    const written = itemKeyText(key);
    for (const schedule of this.schedules) {
      if (schedule.quietUnlessWritten !== written) continue;
      schedule.watchedWrites++;
      schedule.quietUntil = undefined;
    }
  }

  /** Waits until every queue is empty of deliverable messages and no handler is running. */
  async drain(): Promise<void> {
    for (;;) {
      this.kick();
      if (this.consumers.some((c) => c.active > 0)) {
        // Woken when a consumer stops, not by polling: a simulated year stops thousands of times.
        await new Promise<void>((resolve) => this.#drainers.push(resolve));
        continue;
      }
      // Nothing running: only messages backing off after a failure (real-time retry) remain.
      const retryAt = Math.min(
        ...this.consumers.map((c) => (c.queue.hasDueWork() ? c.queue.nextRetryAt() : Number.POSITIVE_INFINITY)),
      );
      if (retryAt === Number.POSITIVE_INFINITY) return;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, retryAt - Date.now())));
    }
  }

  /**
   * Moves the simulated clock to `to`, stopping at every schedule instant and every delayed
   * message on the way, in time order, and draining all resulting work at each stop.
   */
  async advanceTo(
    to: Date | string,
    options: AdvanceOptions = {},
  ): Promise<{ now: string; scheduleRuns: number }> {
    const tickOf = options.everyInstant ? (schedule: Schedule) => schedule.nextAt : nextTick;
    const target = new Date(to).getTime();
    if (this.#advancing) throw new Error('the clock is already being advanced');
    this.#advancing = true;
    let scheduleRuns = 0;
    try {
      await this.drain();
      for (;;) {
        const nextSchedule = this.schedules.reduce<Schedule | undefined>(
          (a, s) => (!a || tickOf(s) < tickOf(a) ? s : a),
          undefined,
        );
        const scheduleAt = nextSchedule ? tickOf(nextSchedule) : Number.POSITIVE_INFINITY;
        const nextMessage = Math.min(
          ...this.consumers.map((c) => c.queue.nextVisibleAt() ?? Number.POSITIVE_INFINITY),
        );
        const nextAt = Math.min(scheduleAt, nextMessage);
        if (nextAt > target) break;
        if (nextAt > this.clock.now().getTime()) this.clock.set(new Date(nextAt));
        if (nextSchedule && scheduleAt === nextAt) {
          if (!options.everyInstant) skipQuietTicks(nextSchedule);
          await this.#fire(nextSchedule);
          scheduleRuns++;
        }
        await this.#settle();
      }
      if (target > this.clock.now().getTime()) this.clock.set(new Date(target));
      await this.#settle();
      return { now: this.clock.now().toISOString(), scheduleRuns };
    } finally {
      this.#advancing = false;
    }
  }

  /**
   * Runs `invoke` at every simulated UTC midnight, like a scheduled function (advanceTo stops
   * there and drains what it caused): how the world around the product, such as the sample
   * shop's customers, keeps acting as the clock moves.
   */
  everyDay(name: string, invoke: (at: Date) => Promise<unknown>): void {
    this.schedules.push({
      name: `simulation:${name}`,
      watchedWrites: 0,
      everyMs: DAY_MS,
      nextAt: Math.floor(this.clock.now().getTime() / DAY_MS) * DAY_MS + DAY_MS,
      invoke,
    });
  }

  /** Drains; with feedback injected for a journey, SES also "publishes" the new sends' events. */
  async #settle(): Promise<void> {
    await this.drain();
    while (this.sesEvents.injecting && (await this.sesEvents.publishNewSends()) > 0) await this.drain();
  }

  async #fire(schedule: Schedule): Promise<void> {
    const at = new Date(schedule.nextAt);
    schedule.nextAt += schedule.everyMs;
    const watchedBefore = schedule.quietUnlessWritten;
    const writesBefore = schedule.watchedWrites;
    const quiet = quietPromiseOf(await schedule.invoke(at));
    const writesDuring = schedule.watchedWrites - writesBefore;
    // The promise holds if nobody else wrote the item while the function ran. A working run's own
    // writes can be told apart only if the item was watched (its writes counted) all along.
    const holds =
      quiet.ownWrites === 0
        ? writesDuring === 0
        : watchedBefore === quiet.unlessWritten && writesDuring === quiet.ownWrites;
    schedule.quietUntil = holds ? quiet.until : undefined;
    schedule.quietUnlessWritten = quiet.unlessWritten;
  }

  /**
   * Runs a scheduled function now, off its cadence (`loyalty predict fit`), and drains what it
   * caused; returns its result.
   */
  async runScheduled(name: FunctionName): Promise<unknown> {
    const schedule = this.schedules.find((candidate) => candidate.name === name);
    if (!schedule) throw new Error(`${name} is not a scheduled function`);
    const result = await schedule.invoke(this.clock.now());
    await this.drain();
    return result;
  }

  /** Follows real time: fires schedules as their instants pass (npm start). */
  startTicking(): void {
    this.#ticker = setInterval(() => {
      if (this.#advancing) return;
      void (async () => {
        const now = this.clock.now().getTime();
        for (const schedule of this.schedules) {
          while (schedule.nextAt <= now) await this.#fire(schedule);
        }
        this.kick();
      })();
    }, 1000);
    this.#ticker.unref();
  }

  deadLetters(): DeadLetter[] {
    const letters: DeadLetter[] = [];
    for (const [name, queue] of this.queues) {
      if (!name.endsWith('-dlq')) continue;
      for (const message of queue.messages) {
        const rejections = message.attributes.rejections?.stringValue;
        letters.push({
          queue: name,
          messageId: message.messageId,
          body: message.body,
          receiveCount: message.receiveCount,
          rejections: rejections ? JSON.parse(rejections) : undefined,
          rejectedBy: message.attributes.rejectedBy?.stringValue,
        });
      }
    }
    return letters;
  }

  /** Moves every dead letter back to the queue it came from, as SQS redrive does. */
  redriveDeadLetters(): number {
    let moved = 0;
    for (const [name, dlq] of this.queues) {
      if (!name.endsWith('-dlq')) continue;
      const source = this.queueFor(name.slice(0, -'-dlq'.length));
      // Back on the source queue before they leave the dead-letter queue: a crash duplicates, never loses.
      for (const message of dlq.messages) source.send(message.body, {}, 0);
      moved += dlq.takeAll().length;
    }
    this.kick();
    return moved;
  }

  /** The emails SES local has accepted, oldest first. */
  async emails(): Promise<SesLocalEmail[]> {
    const response = await fetch(`${this.endpoints.ses}/store`);
    const store = (await response.json()) as { emails: SesLocalEmail[] };
    return store.emails;
  }

  async stop(): Promise<void> {
    if (this.#ticker) clearInterval(this.#ticker);
    await this.drain().catch(() => undefined);
    await new Promise<void>((resolve) => {
      this.servers.aws.closeAllConnections();
      this.servers.aws.close(() => resolve());
    });
    await this.servers.ses.close();
    await this.servers.dynamo.close();
    await this.journal?.close();
  }
}

export interface SesLocalEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
  [key: string]: unknown;
}

const quietAnswer = z.object({
  quietUntil: z.iso.datetime({ offset: true }).optional(),
  quietUnlessWritten: z.object({ PK: z.string(), SK: z.string() }).optional(),
  /** Writes the function made to that item itself during this invocation (a working run's). */
  ownStateWrites: z.number().int().nonnegative().optional(),
});

/** A scheduled function's quiet promise, if its answer holds one. */
function quietPromiseOf(result: unknown): {
  until: number | undefined;
  unlessWritten: string | undefined;
  ownWrites: number;
} {
  const parsed = quietAnswer.safeParse(result);
  if (!parsed.success || !parsed.data.quietUntil) return { until: undefined, unlessWritten: undefined, ownWrites: 0 };
  const { quietUntil, quietUnlessWritten, ownStateWrites = 0 } = parsed.data;
  return {
    until: Date.parse(quietUntil),
    unlessWritten: quietUnlessWritten && itemKeyText(quietUnlessWritten),
    ownWrites: ownStateWrites,
  };
}

function itemKeyText(key: ItemKey): string {
  return `${key.PK}\u0000${key.SK}`;
}

/** A schedule's next instant on its cadence, honouring its quiet-until promise (not yet applied). */
function nextTick(schedule: Schedule): number {
  if (schedule.quietUntil === undefined || schedule.quietUntil <= schedule.nextAt) return schedule.nextAt;
  return (
    schedule.nextAt + Math.ceil((schedule.quietUntil - schedule.nextAt) / schedule.everyMs) * schedule.everyMs
  );
}

/**
 * Each event-triggered function's queue and its rules as the stack deploys them (the bus role and
 * the EventBridge pattern), built once: every PutEvents entry is matched against them.
 */
const EVENT_ROUTES = (Object.values(functions) as FunctionWiring[]).flatMap((wiring) => {
  const trigger = wiring.trigger;
  if (trigger.type !== 'events') return [];
  const patterns = trigger.patterns.map((pattern: EventPattern) => ({
    bus: pattern.bus ?? 'marketing',
    rule: eventBridgePattern(pattern, LOCAL_CONFIGURATION_SET),
  }));
  return [{ queue: trigger.queue, patterns }];
});

/** Applies the promise only when that instant is about to fire, so a delivered message can still cancel it. */
function skipQuietTicks(schedule: Schedule): void {
  schedule.nextAt = nextTick(schedule);
  schedule.quietUntil = undefined;
}

function busRole(bus: string, marketingBus: string): string {
  return bus === marketingBus ? 'marketing' : bus;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export async function startLocal(options: LocalOptions = {}): Promise<LocalRuntime> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const ports =
    options.ports === undefined || options.ports === 'random' ? { aws: 0, dynamo: 0, ses: 0 } : options.ports;
  const busName = options.busName ?? DEFAULT_BUS_NAME;
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  const clock = new SimulatedClock(options.now ? new Date(options.now) : new Date(), {
    frozen: !options.followRealTime,
  });

  const dynamoDir = options.dataDir && path.join(options.dataDir, 'dynamodb');
  if (dynamoDir) mkdirSync(dynamoDir, { recursive: true });
  const { engine: dynamo, client: dynamodb } = await startDynamoWithTable(tableName, {
    port: ports.dynamo,
    ...(dynamoDir ? { path: dynamoDir } : {}),
  });
  const persisted = options.dataDir
    ? await QueueJournal.open(path.join(options.dataDir, 'queues.journal'))
    : undefined;
  const ses = await startSes({ port: ports.ses });
  // The HTTP front door needs the runtime, and the runtime needs the door's port: until the
  // runtime exists the door answers 503.
  const ready: { local?: LocalRuntime } = {};
  const aws = createServer((request, response) => {
    if (!ready.local) {
      response.writeHead(503).end();
      return;
    }
    void handleHttp(ready.local, request, response);
  });
  const awsPort = await listen(aws, ports.aws);
  const endpoints = { aws: `http://127.0.0.1:${awsPort}`, dynamo: dynamo.endpoint, ses: ses.endpoint };
  const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const shared = {
    dynamodb,
    doc: documentClient(dynamodb),
    eventBridge: new EventBridgeClient({ ...clientConfig, endpoint: endpoints.aws }),
    sqs: new SQSClient({ ...clientConfig, endpoint: endpoints.aws }),
    ses: new SESv2Client({ ...clientConfig, endpoint: endpoints.ses }),
  };
  const journal = persisted?.journal;
  const local = new LocalRuntime(
    clock,
    busName,
    tableName,
    endpoints,
    shared.doc,
    { aws, dynamo, ses },
    journal,
  );
  ready.local = local;
  // Only a schedule sleeping until an item is written needs writes reported (and parsed).
  dynamo.onWrite(
    (key) => local.noteWrite(key),
    () => local.schedules.some((schedule) => schedule.quietUnlessWritten !== undefined),
  );

  for (const [name, wiring] of Object.entries(queues) as [QueueName, (typeof queues)[QueueName]][]) {
    const dlq = new LocalQueue(`${name}-dlq`, local.queueUrl(`${name}-dlq`), clock, {
      maxReceiveCount: Infinity,
      batchSize: 10,
      ...(journal ? { journal } : {}),
    });
    const queue = new LocalQueue(name, local.queueUrl(name), clock, {
      ...wiring,
      deadLetterQueue: dlq,
      ...(journal ? { journal } : {}),
    });
    local.queues.set(name, queue);
    local.queues.set(dlq.name, dlq);
  }
  for (const [name, messages] of persisted?.queued ?? []) {
    const queue = local.queues.get(name);
    if (queue) queue.restore(messages);
    // Kept in the journal, not delivered: the wiring no longer has this queue.
    else
      console.warn(
        `local runtime: ${messages.length} message(s) for queue ${name}, which the wiring no longer has, stay in the journal`,
      );
  }

  // A broken program.yaml stops the start here, naming the file, as it stops `cdk synth`.
  const checkoutCampaigns = path.join(REPO_ROOT, 'campaigns');
  const programJsonFile = writeProgramJson({ [ENV.campaignsDir]: checkoutCampaigns, ...options.env });
  for (const [name, wiring] of Object.entries(functions) as [FunctionName, FunctionWiring][]) {
    const trigger = wiring.trigger;
    const ownQueue = trigger.type === 'events' || trigger.type === 'queue' ? trigger.queue : undefined;
    const env: Record<string, string> = {
      [ENV.tableName]: tableName,
      [ENV.eventBusName]: busName,
      [PROGRAM_JSON_ENV]: programJsonFile,
      [ENV.sesConfigurationSet]: LOCAL_CONFIGURATION_SET,
      [ENV.senderAddress]: 'rewards@loyalty-flows.local',
      UNSUBSCRIBE_SECRET: 'local-unsubscribe-secret-not-for-production',
      // SES local has no sending quota, and the bucket runs on real time: at SES's sandbox 14/s a
      // simulated year's morning bursts waited ~90 s of wall time for a quota that is not there.
      MAX_SEND_RATE: '1000',
      ...(wiring.access.emailHistory ? { [EMAIL_HISTORY_ENV]: String(options.emailHistoryDays ?? EMAIL_HISTORY_DEFAULT_DAYS) } : {}),
      ...functionUrls(endpoints.aws),
      ...(ownQueue ? { [ENV.deadLetterQueueUrl]: local.queueUrl(`${ownQueue}-dlq`) } : {}),
      // No login on a laptop: the console API trusts the loopback caller as user "local".
      ...(trigger.type === 'console' ? { [CONSOLE_AUTH_ENV]: 'none' } : {}),
      ...Object.fromEntries(
        (wiring.access.sendsTo ?? []).map((queue) => [queueUrlEnv(queue), local.queueUrl(queue)]),
      ),
      ...options.env,
    };
    let runtime: Runtime = {
      ...shared,
      clock,
      tableName,
      busName,
      deadLetterQueueUrl: env[ENV.deadLetterQueueUrl],
      logger: new Logger({
        serviceName: 'loyalty-flows',
        logLevel: options.logLevel ?? 'SILENT',
        persistentKeys: { function: name },
      }),
      env,
    };
    if (options.wrapRuntime) runtime = options.wrapRuntime(name, runtime, endpoints);
    local.runtimes.set(name, runtime);
    const module = (await import(
      pathToFileURL(path.join(REPO_ROOT, 'functions', wiring.folder, 'handler.ts')).href
    )) as {
      createHandler: (runtime: Runtime) => (event: never) => Promise<unknown>;
    };
    const handler = module.createHandler(runtime);
    if (trigger.type === 'events' || trigger.type === 'queue') {
      local.consumers.push({
        name,
        queue: local.queueFor(trigger.queue),
        handler: handler as BatchHandler,
        concurrency: Math.min(wiring.maxConcurrency ?? 4, 4),
        active: 0,
      });
    } else if (trigger.type === 'schedule') {
      const everyMs = trigger.everyMinutes * 60_000;
      local.schedules.push({
        name,
        watchedWrites: 0,
        everyMs,
        nextAt: Math.ceil(clock.now().getTime() / everyMs) * everyMs,
        invoke: (at) => handler({ scheduledTime: at.toISOString() } satisfies ScheduledInvocation as never),
      });
    } else if (trigger.type === 'url' || trigger.type === 'console') {
      local.urlRoutes.set(trigger.path, handler as UrlHandler);
    }
  }
  if (options.shippedJourneys !== false) {
    local.shipped = await publishShippedJourneys(
      new JourneyCatalogue(local.doc, tableName, clock),
      checkoutCampaigns,
      deployedProgram(local.runtimeFor('journeys').env),
      clock.now(),
      Array.isArray(options.shippedJourneys) ? options.shippedJourneys : undefined,
    );
  }
  if (options.followRealTime) local.startTicking();
  // What a crash left queued is delivered now, as SQS redelivers what was never deleted.
  local.kick();
  return local;
}

/** Where each URL-triggered function is reachable locally, under the env names the stack sets. */
function functionUrls(base: string): Record<string, string> {
  return Object.fromEntries(
    (Object.entries(functions) as [FunctionName, FunctionWiring][]).flatMap(([name, wiring]) =>
      wiring.trigger.type === 'url' ? [[functionUrlEnv(name), `${base}${wiring.trigger.path}`]] : [],
    ),
  );
}
