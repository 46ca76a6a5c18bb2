// Elements are built, never parsed from strings: data from the API can never become markup.
type Child = Node | string | number | false | null | undefined;
type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/** An ISO instant to the minute as the pages show times (UTC): "2027-03-01 09:00". */
export const utcMinute = (iso: string) => iso.slice(0, 16).replace('T', ' ');

export function h(tag: string, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A table with a caption and column headers (scope=col), for screen readers and small screens. */
export function table(caption: string, headers: string[], rows: Child[][], attrs: Attrs = {}): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    h(
      'table',
      attrs,
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headers.map((header) => h('th', { scope: 'col' }, header)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell) => h('td', {}, cell))))),
    ),
  );
}

/** RFC 4180 text of a table: a header line, then one line per row, quoted where a cell needs it. */
export function csvText(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const quote = (cell: string | number) => (/[",\n]/.test(String(cell)) ? `"${String(cell).replace(/"/g, '""')}"` : String(cell));
  return `${[headers, ...rows].map((row) => row.map(quote).join(',')).join('\n')}\n`;
}

/** A table of plain values with its own CSV export: the file holds exactly the cells shown. */
export function exportableTable(caption: string, headers: string[], rows: (string | number)[][], file: string, exportLabel: string): HTMLElement {
  return h(
    'section',
    { class: 'exportable', 'data-table': file },
    table(caption, headers, rows),
    h(
      'button',
      { type: 'button', 'aria-label': `${exportLabel}: ${caption}`, 'data-csv': file, onclick: () => download(`${file}.csv`, 'text/csv', csvText(headers, rows)) },
      exportLabel,
    ),
  );
}

export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('small', { id: hintId }, hint) : null);
}

/** Asks for the note every change carries; resolves undefined when cancelled. */
export function askNote(title: string, labels: { note: string; confirm: string; cancel: string }): Promise<string | undefined> {
  return new Promise((resolve) => {
    const note = h('textarea', { required: true, minlength: 3, rows: 3 }) as HTMLTextAreaElement;
    const dialog = h('dialog', { 'aria-labelledby': 'note-title' }) as HTMLDialogElement;
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'note-title' }, title),
      field(labels.note, note),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', value: 'ok', class: 'primary' }, labels.confirm),
        h('button', { type: 'button', onclick: () => dialog.close('cancel') }, labels.cancel),
      ),
    );
    dialog.append(form);
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'ok' && note.value.trim().length >= 3 ? note.value.trim() : undefined);
    });
    document.body.append(dialog);
    dialog.showModal();
    note.focus();
  });
}

export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: name }) as HTMLAnchorElement;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}
