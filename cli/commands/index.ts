// The registry of command modules: one line per top-level command. A module is imported only
// when its command is on the command line, so `loyalty --help` lists every command from these
// summaries without loading the SDK, Liquid or YAML behind them (test/unit/cli-registry.test.ts
// holds each summary to the description its module registers).
import type { CommandModule } from '../command-module.ts';

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CommandModule>;
}

export const commandEntries: CommandEntry[] = [
  {
    name: 'campaigns',
    summary: 'validate, publish and inspect journeys (every campaign is a journey)',
    load: async () => (await import('./campaigns.ts')).campaignsCommands,
  },
  {
    name: 'customers',
    summary: 'import and inspect customers',
    load: async () => (await import('./customers.ts')).customersCommands,
  },
  {
    name: 'predict',
    summary: 'Predicted purchases, P(alive) and lifetime value (BG/NBD + Gamma-Gamma): the stored fit',
    load: async () => (await import('./predict.ts')).predictCommands,
  },
  {
    name: 'report',
    summary: 'Program metrics, segments, cohort retention and campaign results (uplift vs holdout)',
    load: async () => (await import('../report.ts')).reportCommands,
  },
];
