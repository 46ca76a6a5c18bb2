// The unsubscribe endpoint (Lambda Function URL, payload format 2.0; served by the local runtime).
// GET shows a confirmation page and changes nothing (mail scanners prefetch links); POST — the
// RFC 8058 one-click body "List-Unsubscribe=One-Click" or the page's button — records the opt-out.
// A missing, forged, altered, expired or foreign token changes nothing and gets a 400/403 page.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { emailHash, verifyUnsubscribeToken } from '#shared/domain/unsubscribe-token.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { CUSTOMER_UNSUBSCRIBED, type CustomerUnsubscribed } from '#shared/mail/delivery-events.ts';
import { escapeHtml } from '#shared/mail/render.ts';
import { loadUnsubscribeSecret } from '#shared/mail/unsubscribe-secret.ts';
import { CampaignStats } from '#shared/store/stats.ts';
import { SuppressionStore } from '#shared/store/suppression.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import type { Runtime } from '../commons/runtime.ts';

export const UNSUBSCRIBE_SOURCE = 'unsubscribe-link';

type Response = APIGatewayProxyStructuredResultV2;

function page(statusCode: number, title: string, body: string): Response {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      'referrer-policy': 'no-referrer',
    },
    body: `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto">${body}</body></html>`,
  };
}

export function createHandler(runtime: Runtime): (event: APIGatewayProxyEventV2) => Promise<Response> {
  const store = new SuppressionStore(runtime.doc, runtime.tableName);
  const publisher = new EventBridgePublisher(runtime.eventBridge, runtime.busName);
  const stats = new CampaignStats(runtime.doc, runtime.tableName);

  return async (event) => {
    const method = event.requestContext.http.method.toUpperCase();
    if (method !== 'GET' && method !== 'POST') return page(405, 'Not allowed', '<p>Use GET or POST.</p>');
    const query = new URLSearchParams(event.rawQueryString ?? '');
    const form = method === 'POST' ? new URLSearchParams(bodyText(event)) : new URLSearchParams();
    const customerId = query.get('c') ?? form.get('c');
    const token = query.get('t') ?? form.get('t');
    if (!customerId || !token)
      return page(400, 'Invalid link', '<p>This unsubscribe link is incomplete.</p>');

    const now = runtime.clock.now();
    const check = verifyUnsubscribeToken(token, await loadUnsubscribeSecret(runtime.env), now);
    if (!check.valid) {
      runtime.logger.warn('unsubscribe token refused', { reason: check.reason });
      return check.reason === 'malformed'
        ? page(400, 'Invalid link', '<p>This unsubscribe link is not valid.</p>')
        : page(
            403,
            'Link not valid',
            `<p>This unsubscribe link is ${check.reason === 'expired' ? 'too old' : 'not valid'}. Use the link in a recent email, or contact us.</p>`,
          );
    }
    // The token must be for this customer and for the address they have now.
    const recipient = check.claims.customerId === customerId ? await store.recipient(customerId) : undefined;
    if (!recipient?.email || emailHash(recipient.email) !== check.claims.emailHash) {
      runtime.logger.warn('unsubscribe token refused', { reason: 'wrong-customer' });
      return page(
        403,
        'Link not valid',
        '<p>This unsubscribe link does not belong to this subscription.</p>',
      );
    }

    const action = `?c=${encodeURIComponent(customerId)}&t=${encodeURIComponent(token)}`;
    if (method === 'GET') {
      if (recipient.optOut)
        return page(200, 'Unsubscribed', '<p>You are unsubscribed from our marketing emails.</p>');
      return page(
        200,
        'Unsubscribe',
        `<p>Stop receiving marketing emails from us?</p><form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
      );
    }
    if (form.get('List-Unsubscribe') !== 'One-Click') {
      return page(
        400,
        'Invalid request',
        '<p>Expected the one-click unsubscribe form (List-Unsubscribe=One-Click).</p>',
      );
    }
    const result = await store.optOut(customerId, now, UNSUBSCRIBE_SOURCE);
    if (result === 'recorded') {
      const detail: CustomerUnsubscribed = {
        customerId,
        source: UNSUBSCRIBE_SOURCE,
        unsubscribedAt: now.toISOString(),
      };
      await publisher.publish([{ detailType: CUSTOMER_UNSUBSCRIBED, detail, time: now }]);
      // The opt-out this link caused counts on its campaign's day (once per customer and campaign).
      if (check.claims.campaignId) {
        await stats.countUnsubscribe({
          customerId,
          campaignId: check.claims.campaignId,
          day: now.toISOString().slice(0, 10),
        });
      }
    }
    return page(
      200,
      'Unsubscribed',
      '<p>You are unsubscribed from our marketing emails. It can take a moment for emails already on their way.</p>',
    );
  };
}

function bodyText(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

export const handler = lambdaEntry(createHandler);
