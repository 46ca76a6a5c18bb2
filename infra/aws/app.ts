// CDK entry point (cdk.json "app"): `npx cdk synth`, `npx cdk deploy -c senderAddress=...`.
import { App } from 'aws-cdk-lib';
import { defineLoyaltyFlows } from './loyalty-flows.ts';

const app = new App();
defineLoyaltyFlows(app);
app.synth();
