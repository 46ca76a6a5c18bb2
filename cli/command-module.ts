// The contract between cli/main.ts and each cli/commands/<name>.ts: a module adds its commands
// to the program and gets what it needs (options, output, targets) through the context.
import type { Command } from 'commander';
import type { CliIo, Output } from './io.ts';
import type { GlobalOptions, Targets } from './targets.ts';

export interface CommandContext {
  io: CliIo;
  globals(): GlobalOptions;
  out(): Output;
  /** Local runtime or deployed stack clients, resolved on first use. */
  targets(): Promise<Targets>;
  /**
   * The instant commands default to: the local runtime's simulated now (GET /_local/clock), so a
   * report after a clock jump describes the jumped-to day; the wall clock for a deployed stack.
   */
  now(): Promise<Date>;
}

export interface CommandModule {
  register(program: Command, context: CommandContext): void;
}
