// `loyalty campaigns preview | audience | test-send`.
import type { Command } from 'commander';
import type { CommandContext } from '../command-module.ts';

export function registerCampaignTools(_campaigns: Command, _context: CommandContext): void {}
