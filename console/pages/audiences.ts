// Audiences: build a condition (the same shape as a journey's `where`) and count it from the
// weekly population counts — an estimate, said so on the page, with the parts it cannot count.
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
}

function checkboxes(legend: string, name: string, values: string[]): HTMLElement {
  return h(
    'fieldset',
    { class: 'choices' },
    h('legend', {}, legend),
    values.map((value) => h('label', {}, h('input', { type: 'checkbox', name, value }), ` ${value}`)),
  );
}

export const audiencesPage: Page = async (main, session) => {
  const minSpend = h('input', { type: 'text', inputmode: 'decimal', placeholder: '100.00' }) as HTMLInputElement;
  const attributes = h('textarea', { rows: 3 }) as HTMLTextAreaElement;
  const out = h('div', { 'aria-live': 'polite', id: 'audience-count' });
  const form = h(
    'form',
    {},
    checkboxes(t('tiers'), 'tiers', session.tiers),
    checkboxes(t('lifecycleStages'), 'lifecycleStages', session.lifecycleStages),
    checkboxes(t('segments'), 'segments', session.segments),
    field(t('minSpend'), minSpend),
    field(t('attributes'), attributes),
    h('button', { type: 'submit', class: 'primary' }, t('count')),
  ) as HTMLFormElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const picked = (name: string) => [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((box) => box.value);
    const where: Record<string, unknown> = {};
    for (const name of ['tiers', 'lifecycleStages', 'segments']) if (picked(name).length) where[name] = picked(name);
    if (minSpend.value.trim()) where.minSpend = minSpend.value.trim();
    const pairs = attributes.value.split('\n').map((line) => line.split('=')).filter((pair) => pair.length === 2 && pair[0]?.trim());
    if (pairs.length) where.attributes = Object.fromEntries(pairs.map(([key = '', value = '']) => [key.trim(), value.trim()]));
    void call<Estimate>('audience.estimate', { where })
      .then((estimate) =>
        out.replaceChildren(
          estimate.available
            ? h(
                'div',
                {},
                h('p', { class: 'big' }, h('span', { 'data-count': '' }, `≈ ${estimate.count}`), ` / ${estimate.total} ${t('customersMatch')}`),
                h('p', {}, `${t('estimated')} (${estimate.asOf?.slice(0, 10)})`),
                estimate.notCounted?.length ? h('p', {}, `${t('notCounted')} ${estimate.notCounted.join(', ')}`) : null,
              )
            : h('p', {}, t('noPopulation')),
        ),
      )
      .catch((error: unknown) => showError(out, error));
  });
  main.replaceChildren(h('h1', {}, t('audiences')), h('h2', {}, t('conditions')), form, out);
};
