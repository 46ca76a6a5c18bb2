// What sending email needs from AWS: the SES v2 configuration set every send names (so bounces,
// complaints and reputation are tracked per product), the verified identity mail is sent from,
// and the key that signs one-click unsubscribe links. The identity itself (domain + DKIM) is
// verified once, outside the stack, because it needs DNS records (docs/operations.md).
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { ConfigurationSet, EventDestination, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { ENV } from '#infra/wiring.ts';
import { fromAddress } from '#shared/mail/from-address.ts';
import type { SenderEnv } from '#shared/mail/sender-config.ts';

/** Emails a second one sender invocation keeps up with in AWS: ten records in parallel, each ~0.1–0.2 s of DynamoDB and SES calls. */
const EMAILS_PER_SENDER = 50;

/**
 * Concurrent senders (the send-requests event source's maximum concurrency) for the SES quota
 * `maxSendRate`: as few as keep up with it, since every sender more only waits, billed, for the
 * same rate permits — the wiring's two up to 100 emails a second, one more per 50 above.
 */
export function senderConcurrency(maxSendRate: number | undefined, wired: number): number {
  return maxSendRate === undefined ? wired : Math.max(wired, Math.ceil(maxSendRate / EMAILS_PER_SENDER));
}

export interface MailDeliveryProps {
  senderAddress: string;
  senderName?: string;
  maxSendRate?: number;
  unsubscribeMailto?: string;
  /** The verified SES identity (domain or address) the sender address belongs to. */
  sesIdentity: string;
  /** The account's default bus: the only one SES can publish sending events to. */
  defaultBus: IEventBus;
}

export class MailDelivery extends Construct {
  readonly configurationSet: ConfigurationSet;
  private signingKey: Secret | undefined;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: MailDeliveryProps,
  ) {
    super(scope, id);
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      // Per-configuration-set Reputation.BounceRate / ComplaintRate metrics, for the alarms.
      reputationMetrics: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    // Sends, deliveries, bounces, complaints, opens, clicks... onto the default bus, where rules
    // with `bus: 'default'` and `ownConfigurationSet` in the wiring pick them up.
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(props.defaultBus),
    });
  }

  /** What a function that sends email is told (names as shared/mail/sender-config.ts reads them). */
  senderEnvironment(): Record<string, string> {
    const { senderAddress, senderName, maxSendRate, unsubscribeMailto } = this.props;
    const settings: Partial<Record<keyof SenderEnv, string>> = {
      [ENV.sesConfigurationSet]: this.configurationSet.configurationSetName,
      [ENV.senderAddress]: fromAddress(senderName, senderAddress),
      MAX_SEND_RATE: maxSendRate === undefined ? undefined : String(maxSendRate),
      UNSUBSCRIBE_MAILTO: unsubscribeMailto,
    };
    return Object.fromEntries(
      Object.entries(settings).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
  }

  /** ses:SendEmail on exactly this identity and configuration set, nothing else. */
  sendEmailStatement(): PolicyStatement {
    const stack = Stack.of(this);
    const sesArn = (resourceName: string, resource: string) =>
      stack.formatArn({ service: 'ses', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    return new PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [
        sesArn(this.props.sesIdentity, 'identity'),
        sesArn(this.configurationSet.configurationSetName, 'configuration-set'),
      ],
    });
  }

  /** The HMAC key of unsubscribe tokens; created the first time a function needs it. */
  unsubscribeSigningKey(): Secret {
    if (!this.signingKey) {
      this.signingKey = new Secret(this, 'UnsubscribeSigningKey', {
        description: 'loyalty-flows: HMAC key signing one-click unsubscribe links',
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
      });
      Validations.of(this.signingKey).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          "HMAC key for unsubscribe links already in recipients' inboxes; automatic rotation would break every " +
          'outstanding link (which must keep working for 30 days). Rotated by hand only if it leaks (docs/operations.md).',
      });
    }
    return this.signingKey;
  }
}
