// The one error a template raises when it cannot render a request: retrying will not help, a
// person must fix the template (the sender dead-letters the request with this message).
export class TemplateError extends Error {
  override name = 'TemplateError';
}
