// Calls the console API: every request is a POST with a JSON body (customer ids and addresses
// never appear in a URL), with the Cognito access token when the deployment has sign-in.
import { accessToken } from './auth.ts';

export interface ConsoleConfig {
  /** The API's URL (absolute in AWS, "api" beside the page locally). */
  apiUrl: string;
  auth?: { domain: string; clientId: string } | undefined;
}

let config: ConsoleConfig = { apiUrl: 'api' };

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (response.ok) config = (await response.json()) as ConsoleConfig;
  return config;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly problems: { line?: number; field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export async function call<T>(op: string, body: Record<string, unknown> = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = config.auth ? await accessToken(config.auth) : undefined;
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(config.apiUrl, { method: 'POST', headers, body: JSON.stringify({ op, ...body }) });
  const payload = (await response.json().catch(() => ({}))) as { error?: string; problems?: ApiError['problems'] };
  if (!response.ok) throw new ApiError(payload.error ?? response.statusText, response.status, payload.problems ?? []);
  return payload as T;
}
