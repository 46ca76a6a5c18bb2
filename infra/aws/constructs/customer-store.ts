// The single DynamoDB table: customer profiles, purchases, timers, send ledger and campaigns.
// Key names and indexes come from shared/store/keys.ts, the module every adapter builds keys with,
// so the deployed table, dynalite and the code cannot disagree.
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '#shared/store/keys.ts';

export type IndexName = keyof typeof INDEXES;

export interface CustomerStoreProps {
  /** Deletion protection on, and the table retained if the stack is deleted. */
  protect: boolean;
  /** Days each email's history is kept (ledger, send outcomes, holdouts, coupons after their expiry). */
  emailHistoryDays: number;
}

export class CustomerStore extends Construct {
  readonly table: Table;
  /** Told to the functions that write the email history (wiring `access.emailHistory`). */
  readonly emailHistoryDays: number;

  constructor(scope: Construct, id: string, props: CustomerStoreProps) {
    super(scope, id);
    this.emailHistoryDays = props.emailHistoryDays;
    const key = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new Table(this, 'Table', {
      partitionKey: key(TABLE_KEYS.partitionKey),
      sortKey: key(TABLE_KEYS.sortKey),
      // On-demand: traffic follows campaigns and imports (spiky), and idle costs nothing.
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Expired once-only markers and email history (keys.ts) are deleted by DynamoDB, free of write charges.
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // AWS managed KMS key (aws/dynamodb): encrypted at rest, access governed by the
      // same IAM grants as the data, no key policy to maintain and no per-request KMS charge.
      // Choose a customer managed key only if you need cross-account access or key revocation.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: props.protect,
      removalPolicy: props.protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const index of Object.values(INDEXES)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }
  }

  /** ARN of one global secondary index, for grants that must not reach the whole table. */
  indexArn(index: IndexName): string {
    return `${this.table.tableArn}/index/${INDEXES[index].name}`;
  }

  allIndexArns(): string[] {
    return (Object.keys(INDEXES) as IndexName[]).map((index) => this.indexArn(index));
  }
}
