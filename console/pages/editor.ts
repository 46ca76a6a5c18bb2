// The editor: the journey file and every template part, validated as you type by the CLI's own
// validator (problems at line and field), previewed for any customer in any locale beside the
// text version, test-sent, published with a note, or exported as a file or a git patch.
import { ApiError, call } from '../api.ts';
import { type Page, say } from '../app.ts';
import { askNote, download, field, h, table } from '../dom.ts';
import { t } from '../i18n.ts';

type Templates = Record<string, Record<string, { subject: string; html: string; text: string }>>;
interface Current {
  current: { journeyId: string; version: number; source: string; templates: Templates; journey: { templates: { locales: string[] } } };
}
interface Problem {
  line: number;
  field: string;
  message: string;
}

const SOURCE = 'journey.yaml';
const PARTS = ['subject', 'html', 'text'] as const;

export const editorPage: Page = async (main, session, journeyId) => {
  if (!journeyId) throw new Error('no journey');
  const { current } = await call<Current>('journey.get', { journeyId });
  const draft = { source: current.source, templates: structuredClone(current.templates) };
  let expectedVersion = current.version;
  const files = [SOURCE, ...Object.entries(draft.templates).flatMap(([name, locales]) => Object.keys(locales).flatMap((locale) => PARTS.map((part) => `${name}/${locale}/${part}`)))];
  const read = (file: string) => {
    if (file === SOURCE) return draft.source;
    const [name = '', locale = '', part = 'subject'] = file.split('/');
    return draft.templates[name]?.[locale]?.[part as (typeof PARTS)[number]] ?? '';
  };
  const write = (file: string, text: string) => {
    if (file === SOURCE) draft.source = text;
    else {
      const [name = '', locale = '', part = 'subject'] = file.split('/');
      const parts = draft.templates[name]?.[locale];
      if (parts) parts[part as (typeof PARTS)[number]] = text;
    }
  };

  const picker = h('select', { id: 'file' }, files.map((file) => h('option', { value: file }, file))) as HTMLSelectElement;
  const editor = h('textarea', { id: 'source', rows: 18, spellcheck: 'false', class: 'code' }) as HTMLTextAreaElement;
  editor.value = read(SOURCE);
  const problemsOut = h('div', { id: 'problems', 'aria-live': 'polite' });
  picker.addEventListener('change', () => {
    editor.value = read(picker.value);
  });

  let timer: number | undefined;
  let generation = 0;
  const validate = async () => {
    const mine = ++generation;
    problemsOut.replaceChildren(h('p', {}, t('validating')));
    const result = await call<{ valid: boolean; problems: Problem[] }>('draft.validate', draft);
    if (mine !== generation) return;
    problemsOut.replaceChildren(
      result.valid
        ? h('p', { class: 'ok', 'data-valid': 'true' }, t('valid'))
        : table(t('problems'), [t('line'), t('field'), t('message')], result.problems.map((p) => [String(p.line), p.field, p.message]), { 'data-problems': result.problems.length }),
    );
  };
  editor.addEventListener('input', () => {
    write(picker.value, editor.value);
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void validate(), 300);
  });

  const templateSelect = h('select', {}, Object.keys(draft.templates).map((name) => h('option', { value: name }, name))) as HTMLSelectElement;
  const localeSelect = h('select', {}, current.journey.templates.locales.map((locale) => h('option', { value: locale }, locale))) as HTMLSelectElement;
  const customerInput = h('input', { type: 'text', autocomplete: 'off' }) as HTMLInputElement;
  const previewOut = h('div', { class: 'preview', id: 'preview' });
  const actionsOut = h('div', { 'aria-live': 'polite' });
  const failed = (target: HTMLElement, error: unknown) => {
    const problems = error instanceof ApiError ? error.problems : [];
    target.replaceChildren(
      h('p', { class: 'error', role: 'alert' }, `${t('error')}: ${error instanceof Error ? error.message : String(error)}`),
      ...problems.map((p) => h('p', { class: 'error' }, `${p.line ?? ''} ${p.field}: ${p.message}`)),
    );
  };

  const preview = async () => {
    try {
      const email = await call<{ subject: string; html: string; text: string; locale: string }>('draft.preview', {
        ...draft,
        template: templateSelect.value,
        locale: localeSelect.value,
        ...(customerInput.value.trim() ? { customerId: customerInput.value.trim() } : {}),
      });
      // The email's HTML runs in a sandbox with no scripts and no access to the console.
      const frame = h('iframe', { sandbox: '', title: t('htmlVersion'), class: 'email-html' }) as HTMLIFrameElement;
      frame.srcdoc = email.html;
      previewOut.replaceChildren(
        h('p', {}, h('strong', {}, `${t('subject')}: `), h('span', { 'data-preview-subject': email.locale }, email.subject)),
        h('div', { class: 'side-by-side' }, h('section', { 'aria-label': t('htmlVersion') }, h('h3', {}, t('htmlVersion')), frame), h('section', { 'aria-label': t('textVersion') }, h('h3', {}, t('textVersion')), h('pre', { class: 'email-text', tabindex: 0 }, email.text))),
      );
    } catch (error) {
      failed(previewOut, error);
    }
  };

  const testTo = h('input', { type: 'email', autocomplete: 'email', value: session.user.email ?? '' }) as HTMLInputElement;
  const testSend = async () => {
    try {
      const sent = await call<{ subject: string }>('draft.test-send', { ...draft, template: templateSelect.value, locale: localeSelect.value, to: testTo.value });
      actionsOut.replaceChildren(h('p', { class: 'ok' }, `${t('done')}: ${sent.subject}`));
    } catch (error) {
      failed(actionsOut, error);
    }
  };
  const publish = async () => {
    const note = await askNote(t('publishTitle'), { note: t('whyNote'), confirm: t('publish'), cancel: t('cancel') });
    if (!note) return;
    try {
      const outcome = await call<{ kind: string; version: number; arming?: unknown }>('draft.publish', { ...draft, note, expectedVersion });
      expectedVersion = outcome.version;
      const text = outcome.kind === 'published'
        ? `${t('published')} v${outcome.version}${outcome.arming ? `. ${t('armingStarted')}` : ''}`
        : `${t('unchanged')} v${outcome.version}`;
      actionsOut.replaceChildren(h('p', { class: 'ok', 'data-published': outcome.version }, text));
      say(text);
    } catch (error) {
      failed(actionsOut, error);
    }
  };
  const patch = async () => {
    const { patch: text } = await call<{ patch: string }>('draft.patch', { journeyId, ...draft });
    download(`${journeyId}.patch`, 'text/x-diff', text);
  };

  main.replaceChildren(
    h('h1', {}, `${t('editor')}: ${journeyId}`),
    h(
      'div',
      { class: 'editor-grid' },
      h('section', { 'aria-labelledby': 'files-h' }, h('h2', { id: 'files-h' }, t('file')), field(t('file'), picker), field(t('editor'), editor), h('h2', {}, t('problems')), problemsOut),
      h(
        'section',
        { 'aria-labelledby': 'preview-h' },
        h('h2', { id: 'preview-h' }, t('preview')),
        h('div', { class: 'row' }, field(t('template'), templateSelect), field(t('locale'), localeSelect), field(t('customerId'), customerInput)),
        h('button', { type: 'button', onclick: preview, id: 'preview-button' }, t('preview')),
        previewOut,
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      field(t('testTo'), testTo),
      h('button', { type: 'button', onclick: testSend }, t('testSend')),
      h('button', { type: 'button', class: 'primary', onclick: publish, id: 'publish' }, t('publish')),
      h('button', { type: 'button', onclick: () => download(`${journeyId}.yaml`, 'application/yaml', draft.source) }, t('downloadYaml')),
      h('button', { type: 'button', onclick: patch }, t('downloadPatch')),
    ),
    actionsOut,
  );
  await validate();
};
