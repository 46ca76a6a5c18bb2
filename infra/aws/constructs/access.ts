// Turns a function's `access` flags from infra/wiring.ts into least-privilege IAM grants and the
// environment variables that name what was granted. The map below has an entry for EVERY key of
// Access, so a new flag does not compile until it is given a grant here.
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { type Access, ENV, type QueueName, queueUrlEnv } from '#infra/wiring.ts';
import { EMAIL_HISTORY_ENV } from '#shared/domain/email-history.ts';
import type { CustomerStore } from './customer-store.ts';
import type { MailDelivery } from './mail-delivery.ts';
import type { WorkQueue } from './work-queue.ts';

/** The shared resources a function can be granted access to. */
export interface Grantables {
  bus: IEventBus;
  /** The account's default bus, where AWS services (SES) publish; rules only, never granted. */
  defaultBus: IEventBus;
  store: CustomerStore;
  queues: Record<QueueName, WorkQueue>;
  mail: MailDelivery;
}

type AccessFlag = keyof Access;
type Grant<K extends AccessFlag> = (
  fn: LambdaFunction,
  value: Access[K],
  access: Access,
  on: Grantables,
) => void;

const READ_ITEMS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem'];
const WRITE_ITEMS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

const grants: { [K in AccessFlag]: Grant<K> } = {
  // No Scan unless `scanTable`: every other path reads by key or index ("Timers, not scans").
  table: (fn, level, access, { store }) => {
    const table = store.table.tableArn;
    if (access.dueIndexOnly) {
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['dynamodb:Query'], resources: [store.indexArn('due')] }),
      );
    } else {
      fn.addToRolePolicy(new PolicyStatement({ actions: READ_ITEMS, resources: [table] }));
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['dynamodb:Query'], resources: [table, ...store.allIndexArns()] }),
      );
    }
    if (level === 'readWrite') {
      fn.addToRolePolicy(new PolicyStatement({ actions: WRITE_ITEMS, resources: [table] }));
    }
  },
  dueIndexOnly: () => {
    // Narrows `table` above; no grant of its own.
  },
  publishEvents: (fn, enabled, _access, { bus }) => {
    if (enabled) bus.grantPutEventsTo(fn);
  },
  sendEmail: (fn, enabled, _access, { mail }) => {
    if (!enabled) return;
    fn.addToRolePolicy(mail.sendEmailStatement());
    for (const [key, value] of Object.entries(mail.senderEnvironment())) fn.addEnvironment(key, value);
  },
  sendsTo: (fn, targets, _access, { queues }) => {
    for (const name of targets ?? []) {
      queues[name].queue.grantSendMessages(fn);
      fn.addEnvironment(queueUrlEnv(name), queues[name].queue.queueUrl);
    }
  },
  scanTable: (fn, enabled, _access, { store }) => {
    if (enabled)
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [store.table.tableArn] }),
      );
  },
  unsubscribeSecret: (fn, enabled, _access, { mail }) => {
    if (!enabled) return;
    const key = mail.unsubscribeSigningKey();
    key.grantRead(fn);
    fn.addEnvironment(ENV.unsubscribeSecretArn, key.secretArn);
  },
  // Not a grant: the table's retention of what this function writes, so its items expire with it.
  emailHistory: (fn, enabled, _access, { store }) => {
    if (enabled) fn.addEnvironment(EMAIL_HISTORY_ENV, String(store.emailHistoryDays));
  },
};

/** Every Access key, typed: the keys of an object whose type demands exactly those keys. */
const ACCESS_FLAGS = Object.keys(grants) as AccessFlag[];

function applyGrant<K extends AccessFlag>(key: K, fn: LambdaFunction, access: Access, on: Grantables): void {
  const grant: Grant<K> = grants[key];
  grant(fn, access[key], access, on);
}

export function grantAccess(fn: LambdaFunction, access: Access, on: Grantables): void {
  for (const key of ACCESS_FLAGS) applyGrant(key, fn, access, on);
}
