// Customers: look one up by id or address (sent in a POST body, never in the URL), read the
// profile, loyalty, predictions, consent and suppression, every journey with `explain`, the
// emails sent, and the operator changes; re-subscribing asks why and is audited.
import { call } from '../api.ts';
import { type Page, say, showError } from '../app.ts';
import { askNote, field, h, table } from '../dom.ts';
import { t } from '../i18n.ts';

interface Explanation {
  journeyId: string;
  status: string;
  summary: string;
  steps: { stepId: string; kind: string; at: string; outcome?: string; detail?: string }[];
  sends: { stepId: string; template: string; outcome: string; reason?: string; at: string }[];
}
interface CustomerView {
  customerId: string;
  profile: Record<string, unknown>;
  standing?: Record<string, unknown>;
  suppression?: { at: string; reason: string };
  journeys: Explanation[];
  ledger: { key: string; at?: string; outcome?: string }[];
  audits: { at: string; action: string; by: string; why: string }[];
}

const show = (value: unknown) => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

function customerCard(view: CustomerView, refresh: () => Promise<void>): HTMLElement {
  const consent = view.profile.consent as { granted?: boolean } | undefined;
  const resubscribe = async () => {
    const note = await askNote(t('resubscribeTitle'), { note: t('whyNote'), confirm: t('resubscribe'), cancel: t('cancel') });
    if (!note) return;
    await call('customer.resubscribe', { customerId: view.customerId, note });
    say(t('done'));
    await refresh();
  };
  const { consent: _c, optOut, ...rest } = view.profile;
  return h(
    'article',
    { class: 'customer', 'data-customer': view.customerId },
    h('h2', {}, view.customerId),
    h(
      'p',
      {},
      `${t('consent')}: `,
      h('b', { 'data-consent': '' }, consent?.granted ? '✓' : '✗'),
      ' · ',
      view.suppression ? `${t('suppressed')} (${view.suppression.reason})` : t('notSuppressed'),
      optOut || !consent?.granted ? h('button', { type: 'button', onclick: resubscribe }, t('resubscribe')) : null,
    ),
    table(t('profile'), [t('field'), t('detail')], Object.entries(rest).map(([key, value]) => [key, show(value)])),
    view.standing
      ? table(t('standing'), [t('field'), t('detail')], Object.entries(view.standing).map(([key, value]) => [key, show(value)]), { 'data-standing': '' })
      : null,
    h('h3', {}, t('explain')),
    view.journeys.map((journey) =>
      h(
        'section',
        { class: 'explain', 'data-explain': journey.journeyId },
        h('h4', {}, `${journey.journeyId} — ${journey.status}`),
        h('p', {}, journey.summary),
        h('ol', {}, journey.steps.map((step) => h('li', {}, [step.at.slice(0, 16).replace('T', ' '), step.stepId, step.kind, step.outcome, step.detail].filter(Boolean).join(' · ')))),
        journey.sends.length
          ? table(t('emails'), [t('step'), t('template'), t('status'), t('publishedAt')], journey.sends.map((send) => [send.stepId, send.template, h('span', { 'data-send-outcome': send.stepId }, `${send.outcome}${send.reason ? ` (${send.reason})` : ''}`), send.at.slice(0, 16).replace('T', ' ')]))
          : null,
      ),
    ),
    view.ledger.length ? table(t('emails'), [t('campaign'), t('publishedAt'), t('status')], view.ledger.map((entry) => [entry.key, entry.at ?? '', entry.outcome ?? ''])) : null,
    view.audits.length ? table(t('audits'), [t('publishedAt'), t('kind'), t('publishedBy'), t('note')], view.audits.map((audit) => [audit.at, audit.action, audit.by, audit.why])) : null,
  );
}

export const customersPage: Page = async (main) => {
  const query = h('input', { type: 'search', autocomplete: 'off', required: true }) as HTMLInputElement;
  const out = h('div', { id: 'customer-results' });
  const search = async () => {
    try {
      const { customers } = await call<{ customers: CustomerView[] }>('customer.find', { query: query.value });
      out.replaceChildren(...(customers.length ? customers.map((view) => customerCard(view, search)) : [h('p', {}, t('noCustomer'))]));
    } catch (error) {
      showError(out, error);
    }
  };
  const form = h('form', { role: 'search' }, field(t('searchLabel'), query), h('button', { type: 'submit', class: 'primary' }, t('search'))) as HTMLFormElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void search();
  });
  main.replaceChildren(h('h1', {}, t('customers')), form, out);
};
