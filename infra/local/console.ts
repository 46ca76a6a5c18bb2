// The marketer console on the local HTTP port (/console/): its bundled assets, built once on the
// first request, with the same security headers CloudFront adds in AWS. No login on a laptop.
import type { ServerResponse } from 'node:http';
import { buildConsoleAssets, type ConsoleAsset, consoleContentSecurityPolicy } from '../console-assets.ts';

let assets: Map<string, ConsoleAsset> | undefined;

/** The console's config.json locally: the API beside the page, no sign-in. */
const LOCAL_CONFIG: ConsoleAsset = { body: JSON.stringify({ apiUrl: 'api' }), contentType: 'application/json' };

export function serveConsoleAsset(pathname: string, response: ServerResponse): void {
  if (pathname === '/console') {
    response.writeHead(301, { location: '/console/' }).end();
    return;
  }
  assets ??= buildConsoleAssets();
  const name = pathname.slice('/console/'.length) || 'index.html';
  const asset = name === 'config.json' ? LOCAL_CONFIG : assets.get(name);
  if (!asset) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  response.writeHead(200, {
    'content-type': asset.contentType,
    'content-security-policy': consoleContentSecurityPolicy(),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  });
  response.end(asset.body);
}
