// The CLI lists its commands from the registry's summaries and loads a command's module only when
// that command runs: each summary must say what the module itself registers.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../cli/command-module.ts';
import { commandEntries } from '../../cli/commands/index.ts';

const unusedContext = {} as CommandContext; // registering reads nothing from it; only actions do

describe('the CLI command registry', () => {
  it.each(commandEntries.map((entry) => [entry.name, entry] as const))(
    'lists %s with the description its module registers',
    async (name, entry) => {
      const program = new Command('loyalty');
      (await entry.load()).register(program, unusedContext);
      expect(program.commands.map((command) => command.name())).toEqual([name]);
      expect(program.commands[0]?.description()).toBe(entry.summary);
    },
  );
});
