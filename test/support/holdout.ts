// The shipped marketing journeys hold a share of their entries out (recorded, never sent) for the
// report's uplift. A test that follows named customers through a shipped journey says which of
// their entries the draw holds out, from the shipped file's own holdoutPercent, instead of
// depending on the draw silently.
import { readFileSync } from 'node:fs';
import { isEntryHeldOut } from '#shared/domain/holdout.ts';
import { parseJourneyYaml } from '#shared/journeys/parse.ts';

function holdoutPercentOf(journeyId: string): number {
  const file = `campaigns/${journeyId}.yaml`;
  const { journey } = parseJourneyYaml(readFileSync(file, 'utf8'), file);
  if (!journey) throw new Error(`${file} does not parse`);
  return journey.holdoutPercent;
}

/** The customers whose entry `entryId` of the shipped journey is held out (the engine's own draw). */
export function heldOutOfShipped(journeyId: string, entryId: string, customerIds: readonly string[]): string[] {
  const percent = holdoutPercentOf(journeyId);
  return customerIds.filter((id) => isEntryHeldOut(journeyId, entryId, id, percent));
}
