// Escapes text for HTML (element content and quoted attributes): emails, the report and the
// unsubscribe page show customer and marketer text as text, never as markup.
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}
