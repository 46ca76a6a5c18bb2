// Sign-in for a deployed console: the Cognito hosted UI with the authorization-code flow and
// PKCE (no client secret in the browser). Tokens live in sessionStorage, gone with the tab.
interface AuthConfig {
  domain: string;
  clientId: string;
}

const TOKEN = 'console-token';
const VERIFIER = 'console-pkce';

const redirectUri = () => `${location.origin}${location.pathname}`;

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function signIn(auth: AuthConfig): Promise<never> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  sessionStorage.setItem(VERIFIER, verifier);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email',
    code_challenge_method: 'S256',
    code_challenge: challenge,
  });
  location.assign(`https://${auth.domain}/oauth2/authorize?${query}`);
  return new Promise<never>(() => undefined);
}

/** The access token, after finishing a sign-in redirect or starting one. */
export async function accessToken(auth: AuthConfig): Promise<string> {
  const saved = sessionStorage.getItem(TOKEN);
  if (saved) {
    const { token, expiresAt } = JSON.parse(saved) as { token: string; expiresAt: number };
    if (expiresAt > Date.now() + 60_000) return token;
  }
  const code = new URLSearchParams(location.search).get('code');
  const verifier = sessionStorage.getItem(VERIFIER);
  if (!code || !verifier) return signIn(auth);
  const response = await fetch(`https://${auth.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: auth.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: verifier,
    }),
  });
  sessionStorage.removeItem(VERIFIER);
  // The one-time code leaves the address bar (and the history) at once.
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  if (!response.ok) return signIn(auth);
  const tokens = (await response.json()) as { access_token: string; expires_in: number };
  sessionStorage.setItem(TOKEN, JSON.stringify({ token: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000 }));
  return tokens.access_token;
}
