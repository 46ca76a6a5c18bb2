// Puts the loyalty-flows stack into a CDK app with cdk-nag's AwsSolutions pack as a validation
// plugin, so synth (and deploy) fails on any finding not acknowledged with a reason.
// Shared by the CLI entry (app.ts) and the CDK tests, which must check what actually deploys.
import { Annotations, type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { deployConfigFrom } from './config.ts';
import { LoyaltyFlowsStack } from './stack.ts';

export function defineLoyaltyFlows(app: App): LoyaltyFlowsStack {
  const config = deployConfigFrom(app.node);
  // Environment-agnostic on purpose: no account/region lookups, so synth works offline and the
  // same template deploys to whatever account and region the credentials point at.
  const stack = new LoyaltyFlowsStack(app, `LoyaltyFlows-${config.stage}`, {
    config,
    description: `loyalty-flows (${config.stage}): lifecycle & loyalty marketing on EventBridge, Lambda, DynamoDB and SES`,
  });
  if (app.node.tryGetContext('senderAddress') === undefined) {
    // Synth must work without it (CI, first look), but a deploy without it sends from nowhere.
    Annotations.of(stack).addWarningV2(
      'loyalty-flows:senderAddress',
      `no -c senderAddress: email would be sent as ${config.senderAddress}, which SES will refuse. ` +
        'Pass your verified sender (docs/operations.md).',
    );
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
