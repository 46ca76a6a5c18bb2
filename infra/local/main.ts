// `npm start`: runs loyalty-flows on this machine (no AWS account, Docker or Java).
//   npm start -- --now 2027-02-01T00:00:00Z   start the simulated clock there
//   npm start -- --fresh                       in-memory DynamoDB instead of .local/
//   npm start -- --empty                       no sample customers (and no simulated shop)
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { emailHistoryEnv } from '#shared/domain/email-history.ts';
import { keys } from '#shared/store/keys.ts';
import { startLivingShop } from './living-shop.ts';
import { SAMPLE_CUSTOMERS, sampleEvents } from './sample-data.ts';
import { REPO_ROOT, startLocal } from './runtime.ts';

const { values: args } = parseArgs({
  options: {
    now: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    empty: { type: 'boolean', default: false },
  },
});

const port = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new Error(`${name}: ${process.env[name]} is not a port number`);
  return value;
};

const now = args.now ? new Date(args.now) : new Date();
if (Number.isNaN(now.getTime())) {
  console.error(`--now: ${JSON.stringify(args.now)} is not an ISO 8601 date-time (try 2027-02-01T00:00:00Z)`);
  process.exit(2);
}
// How long the email history is kept, as a deploy's -c emailHistoryDays: too short for a reader stops here.
const history = emailHistoryEnv.safeParse(process.env);
if (!history.success) {
  const why = history.error.issues.map((issue) => issue.message).join('; ');
  console.error(`EMAIL_HISTORY_DAYS=${JSON.stringify(process.env.EMAIL_HISTORY_DAYS)}: ${why}`);
  process.exit(2);
}
const dataDir = args.fresh
  ? undefined
  : path.resolve(process.env.LOCAL_DATA_DIR ?? path.join(REPO_ROOT, '.local'));

const local = await startLocal({
  now,
  followRealTime: true,
  logLevel: 'WARN',
  ...(dataDir ? { dataDir } : {}),
  ports: {
    aws: port('LOCAL_AWS_PORT', 4010),
    dynamo: port('LOCAL_DYNAMODB_PORT', 4567),
    ses: port('LOCAL_SES_PORT', 8005),
  },
  ...(process.env.EVENT_BUS_NAME ? { busName: process.env.EVENT_BUS_NAME } : {}),
  emailHistoryDays: history.data.EMAIL_HISTORY_DAYS,
});

// startLocal published the shipped campaigns/ journeys as version 1 of each not yet published.
for (const problem of local.shipped.problems) console.warn(`shipped journeys: ${problem}`);

// SES local publishes no events: once a simulated day, the emails it accepted become the "Email
// Sent" / "Email Delivered" events SES would have published (the report's sent/delivered counts).
local.everyDay('ses-events', () => local.sesEvents.publishNewSends());

// A long jump (the tour's year takes minutes) is otherwise silent here: a line each simulated
// month says where the clock is, and how long the month took if the clock jumped through all of it.
let monthStarted = performance.now();
let lastDay = monthStarted;
let jumpedThrough = false;
local.everyDay('progress', async (at) => {
  const now = performance.now();
  // A simulated day more than 10 s after the one before: the clock was not (only) jumping.
  if (now - lastDay > 10_000) jumpedThrough = false;
  lastDay = now;
  if (at.getUTCDate() !== 1) return;
  const seconds = (now - monthStarted) / 1000;
  const took = seconds < 90 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(0)} min`;
  console.log(`  simulated clock at ${at.toISOString().slice(0, 10)}${jumpedThrough ? ` (that month took ${took})` : ''}`);
  monthStarted = now;
  jumpedThrough = true;
});

let loaded = 0;
if (!args.empty) {
  const probe = await local.doc.send(
    new GetCommand({ TableName: local.tableName, Key: keys.profile('sample-0001') }),
  );
  if (!probe.Item) {
    const events = sampleEvents({ now: local.clock.now() });
    for (let i = 0; i < events.length; i += 50) local.putEvents(events.slice(i, i + 50));
    await local.drain();
    loaded = events.length;
  }
  startLivingShop(local, { customers: SAMPLE_CUSTOMERS });
}

const { aws, dynamo, ses } = local.endpoints;
console.log(`loyalty-flows is running locally (simulated now: ${local.clock.now().toISOString()})
  EventBridge + SQS  ${aws}   (bus "${local.busName}"; AWS SDK endpoint override, any credentials)
  DynamoDB           ${dynamo}   (table "${local.tableName}"${dataDir ? `; table and queues kept in ${path.relative(process.cwd(), dataDir) || '.'}` : ', in memory'})
  SES v2 mailbox     ${ses}   (open in a browser)
  Marketer console   ${aws}/console/   (no login locally; see docs/console.md)
  Control            ${aws}/_local/clock · /_local/drain · /_local/dead-letters
${loaded ? `  Loaded ${loaded} sample events (customers and purchases).\n` : ''}${args.empty ? '' : '  The sample shop lives on: its customers keep buying, lapsing, opening our emails and redeeming coupons as the clock advances.\n'}${local.shipped.published.length ? `  Published the shipped journeys: ${local.shipped.published.join(', ')} (see: npx loyalty campaigns list)\n` : ''}
Tour:
  1. Send a purchase:  curl -s ${aws}/ -H 'X-Amz-Target: AWSEvents.PutEvents' -H 'Content-Type: application/x-amz-json-1.1' -d '{"Entries":[{"EventBusName":"${local.busName}","Source":"shop.orders","DetailType":"Purchase Completed","Detail":"{\\"orderId\\":\\"tour-1\\",\\"customerId\\":\\"sample-0001\\",\\"amount\\":\\"620.00\\",\\"currency\\":\\"USD\\",\\"purchasedAt\\":\\"${local.clock.now().toISOString()}\\"}"}]}'
  2. Jump ahead a year: curl -s ${aws}/_local/clock -d '{"advanceTo":"${new Date(local.clock.now().getTime() + 365 * 86_400_000).toISOString()}"}'
  3. Read the emails at ${ses} and rejected events at ${aws}/_local/dead-letters
Ctrl-C stops.`);

const shutdown = async () => {
  await local.stop();
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
