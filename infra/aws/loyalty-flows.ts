// Puts the loyalty-flows stack into a CDK app with cdk-nag's AwsSolutions pack as a validation
// plugin, so synth (and deploy) fails on any finding not acknowledged with a reason.
// Shared by the CLI entry (app.ts) and the CDK tests, which must check what actually deploys.
import { type App, Validations } from 'aws-cdk-lib';
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
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
