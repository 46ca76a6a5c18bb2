// Audiences: build a condition (the same shape as a journey's `where`), count it from the weekly
// population counts — an estimate, said so on the page, with the parts it cannot count — and show
// a few matching customer ids, each checked against the whole condition now.
import { call } from '../api.ts';
import { type Page, showError } from '../app.ts';
import { field, h } from '../dom.ts';
import { t } from '../i18n.ts';

interface Estimate {
  available: boolean;
  count?: number;
  total?: number;
  asOf?: string;
  notCounted?: string[];
  counted?: { part: string; share: number }[];
  sample?: { customerIds: string[]; checked: number; drawnFrom: string };
}

const CHURN_RISK = ['low', 'medium', 'high'];

function checkboxes(legend: string, name: string, values: string[]): HTMLElement {
  return h(
    'fieldset',
    { class: 'choices' },
    h('legend', {}, legend),
    values.map((value) => h('label', {}, h('input', { type: 'checkbox', name, value }), ` ${value}`)),
  );
}

const text = (mode: 'decimal' | 'numeric' | 'text' = 'decimal') => h('input', { type: 'text', inputmode: mode, size: 10 }) as HTMLInputElement;

/** A [min, max] pair of inputs under one legend. */
function range(legend: string, min: HTMLInputElement, max: HTMLInputElement): HTMLElement {
  return h('fieldset', { class: 'choices' }, h('legend', {}, legend), field(t('min'), min), field(t('max'), max));
}

export const audiencesPage: Page = async (main, session) => {
  const minSpend = text();
  const maxSpend = text();
  const minOrders = text('numeric');
  const maxOrders = text('numeric');
  const pAliveMin = text();
  const pAliveMax = text();
  const valueMin = text();
  const valueMax = text();
  const locales = text('text');
  const attributes = h('textarea', { rows: 3 }) as HTMLTextAreaElement;
  const out = h('div', { 'aria-live': 'polite', id: 'audience-count' });
  const form = h(
    'form',
    {},
    checkboxes(t('tiers'), 'tiers', session.tiers),
    checkboxes(t('lifecycleStages'), 'lifecycleStages', session.lifecycleStages),
    checkboxes(t('segments'), 'segments', session.segments),
    checkboxes(t('churnRisk'), 'churnRisk', CHURN_RISK),
    range(t('pAlive'), pAliveMin, pAliveMax),
    range(t('predictedValue'), valueMin, valueMax),
    range(t('spend'), minSpend, maxSpend),
    range(t('orders'), minOrders, maxOrders),
    field(t('locales'), locales),
    field(t('attributes'), attributes),
    h('button', { type: 'submit', class: 'primary' }, t('count')),
  ) as HTMLFormElement;
  const condition = (): Record<string, unknown> => {
    const picked = (name: string) => [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((box) => box.value);
    const where: Record<string, unknown> = {};
    for (const name of ['tiers', 'lifecycleStages', 'segments', 'churnRisk']) if (picked(name).length) where[name] = picked(name);
    const value = (input: HTMLInputElement) => input.value.trim() || undefined;
    const number = (input: HTMLInputElement) => (input.value.trim() ? Number(input.value.trim()) : undefined);
    const pair = <T>(min: T | undefined, max: T | undefined) => (min === undefined && max === undefined ? undefined : { min, max });
    Object.assign(where, {
      minSpend: value(minSpend),
      maxSpend: value(maxSpend),
      minOrders: number(minOrders),
      maxOrders: number(maxOrders),
      pAlive: pair(number(pAliveMin), number(pAliveMax)),
      predictedValue: pair(value(valueMin), value(valueMax)),
      locales: locales.value.trim() ? locales.value.split(',').map((l) => l.trim()).filter(Boolean) : undefined,
    });
    const pairs = attributes.value.split('\n').map((line) => line.split('=')).filter((p) => p.length === 2 && p[0]?.trim());
    if (pairs.length) where.attributes = Object.fromEntries(pairs.map(([key = '', v = '']) => [key.trim(), v.trim()]));
    return JSON.parse(JSON.stringify(where)) as Record<string, unknown>;
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void call<Estimate>('audience.estimate', { where: condition() })
      .then((estimate) =>
        out.replaceChildren(
          estimate.available
            ? h(
                'div',
                {},
                h('p', { class: 'big' }, h('span', { 'data-count': '' }, `≈ ${estimate.count}`), ` / ${estimate.total} ${t('customersMatch')}`),
                h('p', {}, `${t('estimated')} (${estimate.asOf?.slice(0, 10)})`),
                estimate.notCounted?.length ? h('p', { 'data-not-counted': '' }, `${t('notCounted')} ${estimate.notCounted.join(', ')}`) : null,
                estimate.sample
                  ? h(
                      'section',
                      { 'data-sample': '' },
                      h('h2', {}, t('sample')),
                      h('p', {}, t('sampleHow').replace('{n}', String(estimate.sample.checked)).replace('{part}', estimate.sample.drawnFrom)),
                      estimate.sample.customerIds.length
                        ? h('ul', { class: 'ids' }, estimate.sample.customerIds.map((id) => h('li', {}, h('code', {}, id))))
                        : h('p', {}, t('noSampleMatch')),
                    )
                  : null,
              )
            : h('p', {}, t('noPopulation')),
        ),
      )
      .catch((error: unknown) => showError(out, error));
  });
  main.replaceChildren(h('h1', {}, t('audiences')), h('h2', {}, t('conditions')), form, out);
};
