// Working with a journey's published versions: roll back to an older one (its steps AND its
// template text, re-published as a new version so history only grows), enable or disable the
// current one, and show what changed between two versions.
import type {
  JourneyCatalogue,
  JourneyTemplates,
  JourneyVersion,
  PublishOutcome,
} from '../store/journeys.ts';
import { JourneyNotFoundError } from '../store/journeys.ts';

type Catalogue = Pick<JourneyCatalogue, 'current' | 'version' | 'publish'>;

async function currentOf(catalogue: Catalogue, journeyId: string): Promise<JourneyVersion> {
  const current = await catalogue.current(journeyId);
  if (!current) throw new JourneyNotFoundError(`journey ${journeyId} has never been published`);
  return current;
}

/** Makes version `to` (default: the one before current) current again, as a new version. */
export async function rollbackJourney(
  catalogue: Catalogue,
  journeyId: string,
  by: string,
  to?: number,
  /** Why, from the operator (the console asks for one); appended to the version's note. */
  reason?: string,
): Promise<PublishOutcome & { restored: number }> {
  const current = await currentOf(catalogue, journeyId);
  const target = to ?? current.version - 1;
  const old = target >= 1 ? await catalogue.version(journeyId, target) : undefined;
  if (!old) throw new JourneyNotFoundError(`journey ${journeyId} has no version ${target}`);
  const outcome = await catalogue.publish({
    journey: old.journey,
    templates: old.templates,
    source: old.source,
    by,
    note: withReason(`rollback to v${target}`, reason),
    expectedVersion: current.version,
  });
  return { ...outcome, restored: target };
}

/** Enables or disables the current version (recorded as a new version with the same templates). */
export async function setJourneyEnabled(
  catalogue: Catalogue,
  journeyId: string,
  enabled: boolean,
  by: string,
  reason?: string,
): Promise<PublishOutcome> {
  const current = await currentOf(catalogue, journeyId);
  return catalogue.publish({
    journey: { ...current.journey, enabled },
    templates: current.templates,
    source: current.source,
    by,
    note: withReason(enabled ? 'enabled' : 'disabled', reason),
    expectedVersion: current.version,
  });
}

const withReason = (what: string, reason: string | undefined) => (reason ? `${what}: ${reason}` : what);

export interface VersionDiff {
  from: number;
  to: number;
  /** Line diff of the journey file each version was published from ("- old", "+ new", "  same"). */
  source: string[];
  /** Template parts added, removed or changed ("gold-nudge/zh-CN/subject"). */
  templates: { added: string[]; removed: string[]; changed: string[] };
}

export function diffVersions(from: JourneyVersion, to: JourneyVersion): VersionDiff {
  const a = templateParts(from.templates);
  const b = templateParts(to.templates);
  return {
    from: from.version,
    to: to.version,
    source: lineDiff(from.source.split('\n'), to.source.split('\n')),
    templates: {
      added: [...b.keys()].filter((key) => !a.has(key)),
      removed: [...a.keys()].filter((key) => !b.has(key)),
      changed: [...b.keys()].filter((key) => a.has(key) && a.get(key) !== b.get(key)),
    },
  };
}

function templateParts(templates: JourneyTemplates): Map<string, string> {
  const parts = new Map<string, string>();
  for (const [name, locales] of Object.entries(templates))
    for (const [locale, texts] of Object.entries(locales))
      for (const [part, text] of Object.entries(texts)) parts.set(`${name}/${locale}/${part}`, text);
  return parts;
}

/** Longest-common-subsequence line diff; journey files are small, so O(n·m) is fine. */
export function lineDiff(a: string[], b: string[]): string[] {
  const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  const at = (i: number, j: number) => common[i]?.[j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) {
      const row = common[i];
      if (row) row[j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (i < a.length && (j >= b.length || at(i + 1, j) >= at(i, j + 1))) {
      out.push(`- ${a[i]}`);
      i++;
    } else {
      out.push(`+ ${b[j]}`);
      j++;
    }
  }
  return out;
}
