// Journeys: every published journey with its status, version, last note and recent sends.
import { call } from '../api.ts';
import type { Page } from '../app.ts';
import { h, table } from '../dom.ts';
import { t } from '../i18n.ts';

interface Summary {
  id: string;
  name: string;
  enabled: boolean;
  version: number;
  trigger: string;
  note: string;
  publishedAt: string;
  sentLast7Days: number;
}

export const journeysPage: Page = async (main) => {
  const { journeys } = await call<{ journeys: Summary[] }>('journeys.list');
  main.replaceChildren(
    h('h1', {}, t('journeys')),
    journeys.length === 0
      ? h('p', {}, t('noJourneys'))
      : table(
          t('journeys'),
          [t('name'), t('status'), t('version'), t('trigger'), t('lastNote'), t('sent7d')],
          journeys.map((journey) => [
            h('a', { href: `#/journey/${encodeURIComponent(journey.id)}`, 'data-journey': journey.id }, journey.name),
            h('span', { class: journey.enabled ? 'badge on' : 'badge off' }, journey.enabled ? t('enabled') : t('disabled')),
            `v${journey.version}`,
            journey.trigger,
            journey.note,
            h('span', { 'data-sent-7d': journey.id }, journey.sentLast7Days),
          ]),
        ),
  );
};
