// The registry of command modules: add one line per cli/commands/<name>.ts.
import type { CommandModule } from '../command-module.ts';
import { reportCommands } from '../report.ts';
import { campaignsCommands } from './campaigns.ts';
import { customersCommands } from './customers.ts';
import { predictCommands } from './predict.ts';

export const commandModules: CommandModule[] = [campaignsCommands, customersCommands, predictCommands, reportCommands];
