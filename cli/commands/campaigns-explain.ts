// `loyalty campaigns explain <id> --customer <cid>`: one customer's story in one journey, from
// one Query on the customer's partition (their run state and send outcomes) — no Scan.
import type { Command } from 'commander';
import { loadProgram } from '#shared/config/program-file.ts';
import { heldOutOfJourney } from '#shared/domain/global-control-group.ts';
import { journeyCapClasses } from '#shared/domain/journey.ts';
import { explainJourney, renderExplanation } from '#shared/domain/journey-explain.ts';
import { systemClock } from '#shared/domain/clock.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { JourneyCatalogue } from '#shared/store/journeys.ts';
import { JourneyStateStore } from '#shared/store/journey-states.ts';
import { TimerStore } from '#shared/store/timers.ts';
import type { CommandContext } from '../command-module.ts';
import { CliError, EXIT } from '../exit-codes.ts';

/** The customer's journey runs and send outcomes (one Query), or exit 3 for an unknown customer. */
export async function journeyStoryOf(context: CommandContext, customerId: string, journeyId?: string) {
  const targets = await context.targets();
  const [stored, story] = await Promise.all([
    new CustomerStore(targets.doc, targets.tableName).getProfile(customerId),
    new JourneyStateStore(
      targets.doc,
      targets.tableName,
      new TimerStore(targets.doc, targets.tableName),
    ).story(customerId, journeyId),
  ]);
  if (!stored && !story.states.length) throw new CliError(EXIT.notFound, `customer ${customerId} not found`);
  return { stored, ...story };
}

export function registerExplain(campaigns: Command, context: CommandContext): void {
  campaigns
    .command('explain')
    .description(
      "where a customer is in a journey: each step with its time and version, the branch taken and why, every send's outcome",
    )
    .argument('<journey>')
    .requiredOption('--customer <id>', 'the customer to explain')
    .action(async (journeyId: string, options: { customer: string }) => {
      const targets = await context.targets();
      const [story, current, trigger] = await Promise.all([
        journeyStoryOf(context, options.customer, journeyId),
        new JourneyCatalogue(targets.doc, targets.tableName, systemClock).current(journeyId),
        // A date-trigger journey's next occasion for this customer (their trigger timer).
        new TimerStore(targets.doc, targets.tableName).journeyOccasion(options.customer, journeyId),
      ]);
      const [state] = story.states;
      if (!current && !state)
        throw new CliError(EXIT.notFound, `journey ${journeyId} has never been published`);
      const explanation = explainJourney({
        journeyId,
        customerId: options.customer,
        state,
        sends: story.sends,
        currentVersion: current?.version,
        nextTriggerAt: trigger?.dueAt ?? undefined,
        globalControlGroup:
          current !== undefined &&
          heldOutOfJourney(options.customer, journeyCapClasses(current.journey), loadProgram(process.env).controlGroup),
      });
      context.out().result(explanation, renderExplanation);
    });
}
