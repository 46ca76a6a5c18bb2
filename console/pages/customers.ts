// Customers: look one up by id or address (sent in a POST body, never in the URL) and read the
// customer card `loyalty customers show` prints — profile, consent and suppression, loyalty,
// predictions, every journey with `explain`, the emails sent with their outcome, operator changes;
// re-subscribing asks why and is audited.
import { call } from '../api.ts';
import { type Page, say, showError } from '../app.ts';
import { askNote, field, h, table, utcMinute as when } from '../dom.ts';
import { t } from '../i18n.ts';

interface Explanation {
  journeyId: string;
  status: string;
  summary: string;
  steps: { stepId: string; kind: string; at: string; outcome?: string; detail?: string }[];
  sends: { stepId: string; template: string; outcome: string; reason?: string; at: string }[];
}
type Facts = Record<string, unknown>;
/** The customer card of shared/flows/customer-card.ts, as the API answers it. */
interface CustomerCard {
  customerId: string;
  profile: Facts;
  consent: { granted: boolean; at: string | null; source: string | null; optOut: { at: string; source: string } | null; suppressed: { at: string; reason: string } | null };
  loyalty: Facts | null;
  purchases: Facts;
  lifecycleStage: string | null;
  segments: string[];
  predictions: Facts | null;
  journeys: Explanation[];
  emails: { source: string; id: string; step?: string; template?: string; at: string; outcome: string; reason?: string }[];
  audits: { at: string; action: string; by: string; why: string }[];
}

const show = (value: unknown) => (value === null || value === undefined ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value));
const facts = (caption: string, values: Facts, attrs: Record<string, string> = {}) =>
  table(caption, [t('field'), t('detail')], Object.entries(values).map(([key, value]) => [key, show(value)]), attrs);

function customerCard(card: CustomerCard, refresh: () => Promise<void>): HTMLElement {
  const consent = card.consent;
  const resubscribe = async () => {
    const note = await askNote(t('resubscribeTitle'), { note: t('whyNote'), confirm: t('resubscribe'), cancel: t('cancel') });
    if (!note) return;
    await call('customer.resubscribe', { customerId: card.customerId, note });
    say(t('done'));
    await refresh();
  };
  return h(
    'article',
    { class: 'customer', 'data-customer': card.customerId },
    h('h2', {}, card.customerId),
    h(
      'p',
      {},
      `${t('consent')}: `,
      h('b', { 'data-consent': '' }, consent.granted ? '✓' : '✗'),
      consent.at ? ` (${consent.source ?? ''} ${when(consent.at)})` : '',
      consent.optOut ? ` · ${t('optedOut')} ${when(consent.optOut.at)}` : '',
      ' · ',
      h('span', { 'data-suppression': '' }, consent.suppressed ? `${t('suppressed')} (${consent.suppressed.reason})` : t('notSuppressed')),
      consent.optOut || !consent.granted ? h('button', { type: 'button', onclick: resubscribe }, t('resubscribe')) : null,
    ),
    facts(t('profile'), card.profile),
    facts(t('standing'), { ...(card.loyalty ?? {}), ...card.purchases, lifecycleStage: card.lifecycleStage, segments: card.segments.join(', ') }, { 'data-standing': '' }),
    card.predictions ? facts(t('predictions'), card.predictions, { 'data-predictions': '' }) : h('p', {}, t('noPredictions')),
    h('h3', {}, t('explain')),
    card.journeys.map((journey) =>
      h(
        'section',
        { class: 'explain', 'data-explain': journey.journeyId },
        h('h4', {}, `${journey.journeyId} — ${journey.status}`),
        h('p', {}, journey.summary),
        h('ol', {}, journey.steps.map((step) => h('li', {}, [when(step.at), step.stepId, step.kind, step.outcome, step.detail].filter(Boolean).join(' · ')))),
        journey.sends.length
          ? table(t('emails'), [t('step'), t('template'), t('status'), t('time')], journey.sends.map((send) => [send.stepId, send.template, h('span', { 'data-send-outcome': send.stepId }, `${send.outcome}${send.reason ? ` (${send.reason})` : ''}`), when(send.at)]))
          : null,
      ),
    ),
    table(
      t('emails'),
      [t('time'), t('campaign'), t('step'), t('status')],
      card.emails.map((email) => [when(email.at), email.id, email.step ?? '', `${email.outcome}${email.reason ? ` (${email.reason})` : ''}`]),
      { 'data-emails': '' },
    ),
    card.audits.length ? table(t('audits'), [t('time'), t('kind'), t('publishedBy'), t('note')], card.audits.map((audit) => [audit.at, audit.action, audit.by, audit.why]), { 'data-audits': '' }) : null,
  );
}

export const customersPage: Page = async (main) => {
  const query = h('input', { type: 'search', autocomplete: 'off', required: true }) as HTMLInputElement;
  const out = h('div', { id: 'customer-results' });
  const search = async () => {
    try {
      const { customers } = await call<{ customers: CustomerCard[] }>('customer.find', { query: query.value });
      out.replaceChildren(...(customers.length ? customers.map((card) => customerCard(card, search)) : [h('p', {}, t('noCustomer'))]));
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
