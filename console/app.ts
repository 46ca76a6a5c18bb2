// The console's shell: navigation, language, and a hash router (#/journeys, #/journey/<id>,
// #/edit/<id>, #/audiences, #/customers, #/results). Routes hold journey ids only, never PII.
import { ApiError, call, loadConfig } from './api.ts';
import { h } from './dom.ts';
import { initialLanguage, type Language, LANGUAGES, setLanguage, t, type TextKey } from './i18n.ts';
import { audiencesPage } from './pages/audiences.ts';
import { customersPage } from './pages/customers.ts';
import { editorPage } from './pages/editor.ts';
import { journeyPage } from './pages/journey.ts';
import { journeysPage } from './pages/journeys.ts';
import { resultsPage } from './pages/results.ts';

export interface Session {
  user: { id: string; email?: string };
  now: string;
  tiers: string[];
  lifecycleStages: string[];
  segments: string[];
}

export type Page = (main: HTMLElement, session: Session, param: string | undefined) => Promise<void>;

const SECTIONS: [TextKey, string][] = [
  ['journeys', '#/journeys'],
  ['audiences', '#/audiences'],
  ['customers', '#/customers'],
  ['results', '#/results'],
];

const pages: Record<string, Page> = {
  journeys: journeysPage,
  journey: journeyPage,
  edit: editorPage,
  audiences: audiencesPage,
  customers: customersPage,
  results: resultsPage,
};

let quiet: number | undefined;

/** A short confirmation read out by screen readers, cleared after a few seconds. */
export function say(message: string): void {
  const status = document.getElementById('status');
  if (!status) return;
  status.textContent = message;
  window.clearTimeout(quiet);
  quiet = window.setTimeout(() => {
    status.textContent = '';
  }, 5000);
}

export function showError(target: HTMLElement, error: unknown): void {
  const message = error instanceof ApiError ? error.message : String(error);
  target.replaceChildren(h('p', { class: 'error', role: 'alert' }, `${t('error')}: ${message}`));
}

function renderNav(active: string): void {
  const nav = document.getElementById('nav');
  if (!nav) return;
  nav.setAttribute('aria-label', t('nav'));
  nav.replaceChildren(
    h(
      'ul',
      {},
      SECTIONS.map(([key, href]) =>
        h('li', {}, h('a', { href, 'aria-current': active === key || (key === 'journeys' && (active === 'journey' || active === 'edit')) ? 'page' : undefined }, t(key))),
      ),
    ),
  );
  const skip = document.querySelector('.skip');
  if (skip) skip.textContent = t('skip');
  const label = document.getElementById('language-label');
  if (label) label.textContent = t('language');
}

async function route(session: Session): Promise<void> {
  const [, name = 'journeys', param] = location.hash.split('/');
  const page = pages[name] ?? journeysPage;
  renderNav(name);
  const main = document.getElementById('main');
  if (!main) return;
  main.replaceChildren(h('p', {}, t('loading')));
  try {
    await page(main, session, param ? decodeURIComponent(param) : undefined);
  } catch (error) {
    showError(main, error);
  }
  document.title = `${main.querySelector('h1')?.textContent ?? ''} · loyalty-flows`;
}

async function start(): Promise<void> {
  setLanguage(initialLanguage());
  const select = document.getElementById('language') as HTMLSelectElement | null;
  await loadConfig();
  const session = await call<Session>('session');
  if (select) {
    select.replaceChildren(...Object.entries(LANGUAGES).map(([code, label]) => h('option', { value: code }, label)));
    select.value = document.documentElement.lang;
    select.addEventListener('change', () => {
      setLanguage(select.value as Language);
      void route(session);
    });
  }
  window.addEventListener('hashchange', () => {
    void route(session).then(() => document.getElementById('main')?.focus());
  });
  await route(session);
}

void start();
