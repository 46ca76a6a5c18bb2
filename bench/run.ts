// `npm run bench`: prints each benchmark's figures as a table. Benchmarks measure; tests judge.
import { benchBundles } from './bundles.ts';
import { benchCli } from './cli.ts';
import { benchConsole } from './console.ts';
import { benchCost } from './cost.ts';
import { benchGuardrails } from './guardrails.ts';
import { benchIngestion } from './ingestion.ts';
import { benchJourneys } from './journeys.ts';
import { benchLoyalty } from './loyalty.ts';
import { benchPredictions } from './predictions.ts';
import { type BenchSection, formatSection } from './report.ts';
import { benchRender } from './render.ts';
import { benchSender } from './sender.ts';
import { type Headline, issueSummary } from './summary.ts';
import { benchTimers } from './timers.ts';
import { benchTimeTravel } from './time-travel.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const benchmarks: Record<string, () => Promise<BenchSection | BenchSection[]>> = {
  bundles: () => benchBundles(),
  cli: () => benchCli(),
  render: () => benchRender(),
  cost: () => benchCost(),
  ingestion: () => benchIngestion(),
  loyalty: () => benchLoyalty(),
  timers: () => benchTimers(),
  journeys: () => benchJourneys(),
  sender: () => benchSender(),
  guardrails: () => benchGuardrails(),
  predictions: () => benchPredictions(),
  console: () => benchConsole(),
  'time-travel': () => benchTimeTravel(),
  'time-travel-10k': () => benchTimeTravel({ customers: 10_000, days: 30 }),
};

const only = process.argv.slice(2);
const headlines: Headline[] = [];
for (const [name, run] of Object.entries(benchmarks)) {
  if (only.length && !only.includes(name)) continue;
  const sections = await run();
  for (const section of Array.isArray(sections) ? sections : [sections]) {
    console.log(formatSection(section));
    headlines.push(...(section.headlines ?? []));
  }
}
if (headlines.length) console.log(formatSection(issueSummary(headlines)));
