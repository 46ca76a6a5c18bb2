// `loyalty predict fit` runs the weekly analytics run now (model fit included) and waits;
// `loyalty predict [--horizon <days>]` prints the stored fit and what the base is expected to buy.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import { expectedRepeatPurchases } from '#shared/flows/predictions.ts';
import { PredictionStore, storedPredictionModel, type StoredPredictionModel } from '#shared/store/predictions.ts';
import { SegmentStore } from '#shared/store/segments.ts';
import type { CommandContext, CommandModule } from '../command-module.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import type { Targets } from '../targets.ts';

type FittedModel = Extract<StoredPredictionModel, { status: 'fitted' }>;

/** What the weekly analytics run answers (functions/segment-thresholds), as far as we read it. */
const weeklyRunResult = z.object({ predictions: z.object({ model: storedPredictionModel, predicted: z.number().int(), unchanged: z.number().int() }) });
type FitRun = z.infer<typeof weeklyRunResult>['predictions'];

async function runFit(targets: Targets, now: Date, region: string | undefined): Promise<FitRun> {
  let body: unknown;
  if (targets.kind === 'local') {
    const response = await fetch(new URL('/_local/predictions/fit', targets.control), { method: 'POST' });
    body = await response.json();
    if (!response.ok) throw new CliError(EXIT.remoteFailure, `the local fit failed: ${JSON.stringify(body)}`);
  } else {
    if (!targets.weeklyAnalyticsFunction)
      throw new CliError(EXIT.notFound, 'the stack has no WeeklyAnalyticsFunctionName output: redeploy it with this version');
    const result = await new LambdaClient(region ? { region } : {}).send(
      new InvokeCommand({ FunctionName: targets.weeklyAnalyticsFunction, Payload: JSON.stringify({ scheduledTime: now.toISOString() }) }),
    );
    body = JSON.parse(new TextDecoder().decode(result.Payload ?? new Uint8Array()) || 'null');
    if (result.FunctionError) throw new CliError(EXIT.remoteFailure, `the weekly analytics run failed: ${JSON.stringify(body)}`);
  }
  const parsed = weeklyRunResult.safeParse(body);
  if (!parsed.success) throw new CliError(EXIT.remoteFailure, `unexpected answer from the weekly analytics run: ${JSON.stringify(body)}`);
  return parsed.data.predictions;
}

function horizonDays(value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 3650)
    throw new CliError(EXIT.usage, `--horizon: ${JSON.stringify(value)} must be a whole number of days from 1 to 3650`);
  return days;
}

/** The JSON shape: the fit per day, and Σ expected repeat purchases over the horizon. */
function predictionSummary(fit: FittedModel, horizon: number, repeatPurchases: number) {
  const { bgnbd, gammaGamma } = fit.model;
  return {
    bgnbd: { r: bgnbd.r, alpha: bgnbd.alpha, a: bgnbd.a, b: bgnbd.b, timeUnit: 'day' as const, logLikelihood: bgnbd.logLikelihood, customers: bgnbd.customers },
    gammaGamma: gammaGamma ? { p: gammaGamma.p, q: gammaGamma.q, gamma: gammaGamma.gamma, customers: gammaGamma.customers } : null,
    expected: { horizonDays: horizon, repeatPurchases: Math.round(repeatPurchases * 100) / 100 },
  };
}

const digits = (value: number) => value.toPrecision(4);

function fitText(fit: FittedModel): string[] {
  const { bgnbd, gammaGamma } = fit.model;
  return [
    `Models fitted ${fit.at} on ${bgnbd.customers} customer(s) with a purchase`,
    `  BG/NBD (per day): r ${digits(bgnbd.r)}  alpha ${digits(bgnbd.alpha)}  a ${digits(bgnbd.a)}  b ${digits(bgnbd.b)}  log-likelihood ${bgnbd.logLikelihood.toFixed(1)}`,
    ...(bgnbd.atBound ? [`  (${bgnbd.atBound.join(', ')} at the search bound: the data show no spread there)`] : []),
    gammaGamma
      ? `  Gamma-Gamma on ${gammaGamma.customers} repeat buyer(s): p ${digits(gammaGamma.p)}  q ${digits(gammaGamma.q)}  gamma ${digits(gammaGamma.gamma)}`
      : '  Gamma-Gamma: no spend model (too few repeat buyers with spend, or q <= 1): no predicted value',
  ];
}

function fitted(stored: StoredPredictionModel | undefined): FittedModel {
  if (!stored) throw new CliError(EXIT.notFound, 'no prediction model yet: run `loyalty predict fit` (or wait for the weekly run)');
  if (stored.status !== 'fitted') throw new CliError(EXIT.notFound, `no predictions (fit attempted ${stored.at}): ${stored.reason}`);
  return stored;
}

async function showPredictions(context: CommandContext, flags: { horizon: string; segments: string }): Promise<void> {
  const horizon = horizonDays(flags.horizon);
  const targets = await context.targets();
  const fit = fitted(await new PredictionStore(targets.doc, targets.tableName).model());
  // The expectation is summed over every customer as the fit saw them (the operator's scan, like `loyalty report`).
  const snapshot = await new SegmentStore(targets.doc, targets.tableName).scanSnapshot(Number(flags.segments));
  const summary = predictionSummary(fit, horizon, expectedRepeatPurchases(fit.model, snapshot.customers, new Date(fit.at), horizon));
  context.out().result(summary, () =>
    [...fitText(fit), `Expected repeat purchases in the ${horizon} days after the fit: ${summary.expected.repeatPurchases.toFixed(1)}`].join('\n'),
  );
}

export const predictCommands: CommandModule = {
  register(program, context) {
    const predict = program
      .command('predict')
      .description('Predicted purchases, P(alive) and lifetime value (BG/NBD + Gamma-Gamma): the stored fit')
      .option('--horizon <days>', 'sum every customer’s expected purchases over this many days after the fit', '90')
      .option('--segments <n>', 'parallel scan segments', '4')
      .action((flags: { horizon: string; segments: string }) => showPredictions(context, flags));
    predict
      .command('fit')
      .description('Run the weekly analytics run now (scan, segment thresholds, model fit, every buyer’s predictions) and wait')
      .action(async () => {
        const targets = await context.targets();
        const run = await runFit(targets, await context.now(), context.globals().region);
        context.out().result(run, () =>
          run.model.status === 'fitted'
            ? [...fitText(run.model), `Predictions rewritten for ${run.predicted} customer(s); ${run.unchanged} unchanged by this fit (kept)`].join('\n')
            : `No predictions (fit attempted ${run.model.at}): ${run.model.reason}`,
        );
      });
  },
};
