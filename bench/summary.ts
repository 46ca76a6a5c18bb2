// Issue 12's table, closing every `npm run bench`: each row's round-1 figure ("today", written here
// with where it was measured), the figure a section measured in THIS run ("now"), the target, and
// whether it is met. A row whose section did not run says which section measures it.
import type { BenchSection } from './report.ts';

export type IssueRow =
  | 'bundle-code'
  | 'bundle-import'
  | 'render'
  | 'cli-start'
  | 'cli-command'
  | 'purchase-path'
  | 'year'
  | 'cost';

/** One row's figure as a section measured it, with the verdict against the target. */
export interface Headline {
  row: IssueRow;
  now: string;
  met: 'yes' | 'no' | 'partly';
}

const ISSUE = 'issue 12, clean clone, 2026-11-23';

/** The issue's rows in its order; `section` is the `npm run bench -- <section>` that measures one. */
export const ISSUE_ROWS: Record<IssueRow, { what: string; today: string; target: string; section: string }> = {
  'bundle-code': {
    what: 'Lambda bundle, code per function',
    today: `1.0–1.1 MB minified + 1.5 MB source map in the asset (${ISSUE})`,
    target: '≤ 500 KB; source maps opt-in',
    section: 'bundles',
  },
  'bundle-import': {
    what: 'bundle import time, node -e "import(\'./index.mjs\')"',
    today: `220–290 ms (${ISSUE})`,
    target: '≤ 100 ms on this machine',
    section: 'bundles',
  },
  render: {
    what: 'render (subject + HTML + text, warm)',
    today: `1.0–1.5 ms per email, ~700–1,000/s (${ISSUE})`,
    target: '≥ 5,000 emails/s on one core',
    section: 'render',
  },
  'cli-start': {
    what: 'CLI start-up, node bin/loyalty.mjs --help',
    today: `2.1–3.3 s (${ISSUE})`,
    target: '≤ 0.3 s, within 4× a bare node -e 0',
    section: 'cli',
  },
  'cli-command': {
    what: 'a CLI command against the local runtime (campaigns list, preview)',
    today: '6–12 s (issue 12, reported by a new user)',
    target: '≤ 1 s',
    section: 'cli',
  },
  'purchase-path': {
    what: 'DynamoDB per quiet purchase, every function it wakes',
    today: `8.4 requests, 5.2 WCU in ingest-orders alone; two more functions read (${ISSUE})`,
    target: '≤ 6 requests and ≤ 4 WCU, whole system',
    section: 'cost',
  },
  year: {
    what: 'simulated year, sample shop (300 customers), advanceTo',
    today: `69 s (${ISSUE}); 11–14 min once the sample shop lived (docs/local-runtime.md, 2026-11-30)`,
    target: '≤ 10 s; 10k customers ≤ 2 min',
    section: 'time-travel time-travel-10k',
  },
  cost: {
    what: 'AWS bill per 1M customers a month, before SES',
    today: 'not measured before issue 12',
    target: '≤ $5',
    section: 'cost',
  },
};

export function issueSummary(headlines: Headline[]): BenchSection {
  const rows = Object.entries(ISSUE_ROWS).map(([row, spec]) => {
    const measured = headlines.filter((headline) => headline.row === row);
    return {
      what: spec.what,
      today: spec.today,
      now: measured.length
        ? measured.map((headline) => headline.now).join('; ')
        : `not in this run: npm run bench -- ${spec.section}`,
      target: spec.target,
      'met?': measured.length ? verdict(measured) : '',
    };
  });
  return {
    title: 'Issue 12: every row, today (round 1) and now (this run)',
    rows,
    notes: [
      'Times on this shared machine follow its load: read the ratios and counts in "now" before the milliseconds.',
    ],
  };
}

function verdict(measured: Headline[]): string {
  if (measured.every((headline) => headline.met === 'yes')) return 'yes';
  if (measured.every((headline) => headline.met === 'no')) return 'no';
  return 'partly';
}
