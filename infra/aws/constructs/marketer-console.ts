// The marketer console in AWS: only the company's signed-in users reach it.
//   browser -> CloudFront (HTTPS, security headers + CSP) -> private S3 bucket (OAC) : the app
//   browser -> Cognito hosted UI (code + PKCE, MFA)        : an access token
//   browser -> HTTP API, Cognito JWT authorizer on every request -> console-api function
// Users are created by an administrator (no self sign-up); the API admits only tokens issued to
// this pool's console client, and the function re-checks the claims it acts on.
import * as path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AllowedMethods,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { consoleContentSecurityPolicy, writeConsoleAssets } from '#infra/console-assets.ts';

export interface MarketerConsoleProps {
  api: IFunction;
  /** The route the API answers on (the wiring's path), e.g. /console/api. */
  path: string;
  /** Prefix of the Cognito hosted-UI domain (<prefix>.auth.<region>.amazoncognito.com), unique per region. */
  domainPrefix: string;
  protect: boolean;
}

export class MarketerConsole extends Construct {
  readonly users: UserPool;
  readonly client: UserPoolClient;
  readonly distribution: Distribution;
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, props: MarketerConsoleProps) {
    super(scope, id);
    const removalPolicy = props.protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const region = Stack.of(this).region;

    const logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logging writes with an ACL, so this bucket keeps ACLs enabled.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
      autoDeleteObjects: !props.protect,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the console assets and distribution; logging it into itself would loop.',
    });
    const assets = new Bucket(this, 'Assets', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'assets/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    this.users = new UserPool(this, 'Users', {
      // Only people an administrator invites: the company's marketers, never the public.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      removalPolicy,
    });
    const domain = this.users.addDomain('SignIn', { cognitoDomain: { domainPrefix: props.domainPrefix } });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'loyalty-flows marketer console',
      defaultRootObject: 'index.html',
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(assets),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        responseHeadersPolicy: new ResponseHeadersPolicy(this, 'SecurityHeaders', {
          securityHeadersBehavior: {
            contentSecurityPolicy: {
              contentSecurityPolicy: consoleContentSecurityPolicy([
                // The API's own URL is known only at deploy time: any execute-api host of this region.
                `https://*.execute-api.${region}.amazonaws.com`,
                `https://${domain.domainName}.auth.${region}.amazoncognito.com`,
              ]),
              override: true,
            },
            strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
            contentTypeOptions: { override: true },
            frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
            referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
          },
        }),
      },
    });
    const origin = `https://${this.distribution.distributionDomainName}`;
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Marketers sign in from wherever they work; access is decided by Cognito sign-in with MFA, not by country.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'The distribution serves only static, public-by-design assets; every data request goes to the API, which authorizes each one with a Cognito JWT. Attach a WAF web ACL (us-east-1) if your policy requires one.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason: 'The default *.cloudfront.net certificate cannot be given a minimum protocol; browsers negotiate TLS 1.2+. Put the console on your own domain and certificate for TLSv1.2_2021 (docs/console.md).',
      },
    );

    this.client = this.users.addClient('Console', {
      generateSecret: false,
      preventUserExistenceErrors: true,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
        callbackUrls: [`${origin}/`],
        logoutUrls: [`${origin}/`],
      },
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy });
    this.httpApi = new HttpApi(this, 'Api', {
      description: 'loyalty-flows marketer console API (Cognito-authorized)',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [origin],
        allowMethods: [CorsHttpMethod.POST],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: Duration.hours(1),
      },
      defaultAuthorizer: new HttpUserPoolAuthorizer('Marketers', this.users, { userPoolClients: [this.client] }),
    });
    new HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 20, burstLimit: 40 },
      // Who called which operation and how it went; request bodies (customer data) are never logged.
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            route: '$context.routeKey',
            status: '$context.status',
            user: '$context.authorizer.claims.sub',
            latencyMs: '$context.responseLatency',
          }),
        ),
      },
    });
    this.httpApi.addRoutes({
      path: props.path,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('ConsoleApi', props.api),
    });
    const apiUrl = `${this.httpApi.apiEndpoint}${props.path}`;

    const bundle = mkdtempSync(path.join(tmpdir(), 'console-assets-'));
    writeConsoleAssets(bundle);
    const deployment = new BucketDeployment(this, 'Upload', {
      destinationBucket: assets,
      sources: [
        Source.asset(bundle),
        Source.jsonData('config.json', { apiUrl, auth: { domain: `${domain.domainName}.auth.${region}.amazoncognito.com`, clientId: this.client.userPoolClientId } }),
      ],
      // Browsers and CloudFront revalidate every load, so a deploy shows at once without an
      // invalidation (which would need cloudfront:CreateInvalidation on "*").
      cacheControl: [CacheControl.noCache()],
    });
    acknowledgeUploadHandler(this, deployment, assets);

    new CfnOutput(this, 'Url', { value: `${origin}/`, description: 'The marketer console (sign in with a user of ConsoleUserPoolId)' });
    new CfnOutput(this, 'UserPoolId', { value: this.users.userPoolId, description: 'Add marketers: aws cognito-idp admin-create-user --user-pool-id <this> --username <email>' });
    new CfnOutput(this, 'ApiUrl', { value: apiUrl });
  }
}

/** The CDK's upload handler (a singleton Lambda that copies the bundle to S3 at deploy time). */
function acknowledgeUploadHandler(scope: Construct, deployment: BucketDeployment, bucket: Bucket): void {
  const cfnBucket = bucket.node.defaultChild;
  if (!(cfnBucket instanceof CfnBucket)) throw new Error(`${bucket.node.path} has no CfnBucket`);
  Validations.of(deployment.handlerRole).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The CDK BucketDeployment handler role (deploy time only) writes its own logs with the AWS managed basic execution policy.',
    },
    ...[
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
      `Resource::<${Stack.of(scope).resolve(cfnBucket.logicalId)}.Arn>/*`,
    ].map((finding) => ({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason:
        'The CDK BucketDeployment handler (deploy time only) reads the CDK asset objects and replaces the console bucket objects: object-level wildcards on those two buckets only.',
    })),
  );
  const stack = Stack.of(scope);
  for (const child of stack.node.children) {
    if (child.node.id.startsWith('Custom::CDKBucketDeployment'))
      Validations.of(child).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'The CDK BucketDeployment handler runtime is chosen by aws-cdk-lib; it runs only during deployment.',
      });
  }
}
