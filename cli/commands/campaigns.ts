// `loyalty campaigns ...`: validate, list, publish, rollback, enable, disable, preview,
// audience and test-send.
import type { CommandModule } from '../command-module.ts';

export const campaignsCommands: CommandModule = {
  register(program) {
    program.command('campaigns').description('validate, publish and inspect campaigns');
  },
};
