// One journey: its steps as a diagram (trigger -> steps -> end, each with where it goes), its
// versions with notes and diffs, and enable/disable/rollback — each asking for a note.
import { call } from '../api.ts';
import { type Page, say, showError } from '../app.ts';
import { askNote, h, table, utcMinute } from '../dom.ts';
import { t } from '../i18n.ts';

interface DiagramStep {
  id: string;
  kind: 'wait' | 'branch' | 'split' | 'send';
  detail: string;
  exits: { to: string; label?: string }[];
  atStepNow: number;
  passedThrough: number;
}
interface View {
  current: { journeyId: string; version: number; journey: { name: string; enabled: boolean }; note: string };
  trigger: string;
  steps: DiagramStep[];
  end: string;
  period: { from: string; to: string };
  /** The latest arming of a newly live date trigger for the stored customers. */
  arming?: { version: number; customers: number; done: boolean; requestedAt: string };
}
interface Version {
  version: number;
  publishedAt: string;
  publishedBy: string;
  note: string;
}
interface Diff {
  from: number;
  to: number;
  source: string[];
  templates: { added: string[]; removed: string[]; changed: string[] };
}

const KIND_ICON = { wait: '⏱', branch: '⑂', split: '⚖', send: '✉' } as const;

function diagram(view: View): HTMLElement {
  return h(
    'ol',
    { class: 'diagram', 'aria-label': t('steps') },
    h('li', { class: 'node trigger' }, h('strong', {}, t('trigger')), h('span', {}, view.trigger)),
    view.steps.map((step) =>
      h(
        'li',
        { class: `node ${step.kind}`, 'data-step': step.id },
        h('strong', {}, h('span', { 'aria-hidden': 'true' }, `${KIND_ICON[step.kind]} `), `${step.id}`),
        h('span', { class: 'kind' }, `${step.kind}: ${step.detail}`),
        h(
          'span',
          { class: 'counts' },
          `${t('atStepNow')}: `,
          h('b', { 'data-at-step': step.id }, step.atStepNow),
          ` · ${t('passedThrough')} (${view.period.from} – ${view.period.to}): `,
          h('b', { 'data-passed': step.id }, step.passedThrough),
        ),
        h('span', { class: 'exits' }, `→ ${step.exits.map((exit) => (exit.label ? `${exit.to} (${exit.label})` : exit.to)).join(', ')}`),
      ),
    ),
    h('li', { class: 'node end' }, h('strong', {}, view.end)),
  );
}

/** How far arming the stored customers for a newly live date trigger has come (it runs in the background). */
function armingLine(arming: NonNullable<View['arming']>): HTMLElement {
  const what = arming.done ? t('armingDone') : t('armingRunning');
  const count = `${arming.customers} ${t('armedCustomers')}${arming.done ? '' : ` ${t('armingSoFar')}`}`;
  return h('p', { 'data-arming': arming.done ? 'done' : 'running' }, `${what} (v${arming.version}, ${utcMinute(arming.requestedAt)}): `, h('b', {}, count));
}

export const journeyPage: Page = async (main, _session, journeyId) => {
  if (!journeyId) throw new Error('no journey');
  const [view, { versions }] = await Promise.all([
    call<View>('journey.get', { journeyId }),
    call<{ versions: Version[] }>('journey.versions', { journeyId }),
  ]);
  const diffOut = h('div', { id: 'diff' });
  const act = async (title: string, op: string, body: Record<string, unknown>) => {
    const note = await askNote(title, { note: t('whyNote'), confirm: t('confirm'), cancel: t('cancel') });
    if (!note) return;
    try {
      const outcome = await call<{ version: number; arming?: unknown }>(op, { journeyId, note, ...body });
      say(`${t('done')}: v${outcome.version}${outcome.arming ? `. ${t('armingStarted')}` : ''}`);
      await journeyPage(main, _session, journeyId);
    } catch (error) {
      showError(diffOut, error);
    }
  };
  const enabled = view.current.journey.enabled;
  main.replaceChildren(
    h('h1', {}, view.current.journey.name),
    h(
      'p',
      {},
      h('span', { class: enabled ? 'badge on' : 'badge off' }, enabled ? t('enabled') : t('disabled')),
      ` v${view.current.version} · ${view.current.note}`,
    ),
    view.arming ? armingLine(view.arming) : '',
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'button primary', href: `#/edit/${encodeURIComponent(journeyId)}` }, t('edit')),
      h('button', { type: 'button', onclick: () => act(enabled ? t('disable') : t('enable'), 'journey.enable', { enabled: !enabled }) }, enabled ? t('disable') : t('enable')),
      versions.length > 1 ? h('button', { type: 'button', onclick: () => act(t('rollback'), 'journey.rollback', {}) }, t('rollback')) : null,
    ),
    h('h2', {}, t('steps')),
    diagram(view),
    h('h2', {}, t('versions')),
    table(
      t('versions'),
      [t('version'), t('publishedAt'), t('publishedBy'), t('note'), t('diff')],
      versions.map((version) => [
        `v${version.version}`,
        utcMinute(version.publishedAt),
        version.publishedBy,
        version.note,
        version.version > 1
          ? h(
              'button',
              {
                type: 'button',
                onclick: async () => {
                  const diff = await call<Diff>('journey.diff', { journeyId, from: version.version - 1, to: version.version });
                  diffOut.replaceChildren(
                    h('h3', {}, `v${diff.from} → v${diff.to}`),
                    h('pre', { class: 'diff', tabindex: 0 }, diff.source.filter((line) => !line.startsWith('  ')).join('\n') || '(=)'),
                    h('p', {}, [...diff.templates.changed.map((p) => `~ ${p}`), ...diff.templates.added.map((p) => `+ ${p}`), ...diff.templates.removed.map((p) => `- ${p}`)].join('  ')),
                  );
                },
              },
              t('showDiff'),
            )
          : '',
      ]),
    ),
    diffOut,
  );
};
