// The unsubscribe endpoint (Lambda Function URL, payload format 2.0; served by the local runtime).
// GET shows a confirmation page and changes nothing (mail scanners prefetch links); POST — the
// RFC 8058 one-click body "List-Unsubscribe=One-Click" or the page's button — records the opt-out.
// A missing, forged, altered, expired or foreign token changes nothing and gets a 400/403 page.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { emailHistoryEnv, expiresAfter } from '#shared/domain/email-history.ts';
import { emailHash, verifyUnsubscribeToken } from '#shared/domain/unsubscribe-token.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { CUSTOMER_UNSUBSCRIBED, type CustomerUnsubscribed } from '#shared/mail/delivery-events.ts';
import { oneClickForm } from '#shared/mail/one-click-form.ts';
import { pageLanguage, unsubscribePage } from '#shared/mail/unsubscribe-page.ts';
import { loadUnsubscribeSecret } from '#shared/mail/unsubscribe-secret.ts';
import { CountMarkers } from '#shared/store/count-markers.ts';
import { JourneyStepResults } from '#shared/store/journey-step-results.ts';
import { SuppressionStore } from '#shared/store/suppression.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import { functionSettings, type Runtime } from '../commons/runtime.ts';

export const UNSUBSCRIBE_SOURCE = 'unsubscribe-link';

type Response = APIGatewayProxyStructuredResultV2;

export function createHandler(runtime: Runtime): (event: APIGatewayProxyEventV2) => Promise<Response> {
  const { EMAIL_HISTORY_DAYS } = functionSettings('unsubscribe', emailHistoryEnv, runtime.env);
  const store = new SuppressionStore(runtime.doc, runtime.tableName);
  const publisher = new EventBridgePublisher(runtime.eventBridge, runtime.busName);
  const markers = new CountMarkers(runtime.doc, runtime.tableName);
  const stepResults = new JourneyStepResults(runtime.doc, runtime.tableName);

  return async (event) => {
    let language = pageLanguage(undefined, event.headers?.['accept-language']);
    const method = event.requestContext.http.method.toUpperCase();
    if (method !== 'GET' && method !== 'POST') return unsubscribePage('not-allowed', language);
    const query = new URLSearchParams(event.rawQueryString ?? '');
    const form = method === 'POST' ? await oneClickForm(event) : new URLSearchParams();
    const token = query.get('t') ?? form?.get('t');
    if (!token) return unsubscribePage('incomplete', language);
    // Links issued before the token alone named the customer also carry it as `c`: it must agree.
    const linkedCustomer = query.get('c') ?? form?.get('c') ?? undefined;

    const now = runtime.clock.now();
    const check = verifyUnsubscribeToken(token, await loadUnsubscribeSecret(runtime.env), now);
    if (!check.valid) {
      runtime.logger.warn('unsubscribe token refused', { reason: check.reason });
      const page =
        check.reason === 'malformed' ? 'invalid' : check.reason === 'expired' ? 'expired' : 'forged';
      return unsubscribePage(page, language);
    }
    // The token must be for the customer the link names and for the address they have now.
    const customerId = check.claims.customerId;
    const recipient =
      linkedCustomer === undefined || linkedCustomer === customerId
        ? await store.recipient(customerId)
        : undefined;
    if (!recipient?.email || emailHash(recipient.email) !== check.claims.emailHash) {
      runtime.logger.warn('unsubscribe token refused', { reason: 'wrong-customer' });
      return unsubscribePage('not-this-subscription', language);
    }
    language = pageLanguage(recipient.locale, event.headers?.['accept-language']);

    if (method === 'GET') {
      if (recipient.optOut) return unsubscribePage('already-unsubscribed', language);
      const action = `?t=${encodeURIComponent(token)}`;
      return unsubscribePage('confirm', language, action);
    }
    if (form?.get('List-Unsubscribe') !== 'One-Click') return unsubscribePage('not-one-click', language);
    const result = await store.optOut(customerId, now, UNSUBSCRIBE_SOURCE);
    if (result === 'recorded') {
      const detail: CustomerUnsubscribed = {
        customerId,
        source: UNSUBSCRIBE_SOURCE,
        unsubscribedAt: now.toISOString(),
      };
      await publisher.publish([{ detailType: CUSTOMER_UNSUBSCRIBED, detail, time: now }]);
      // The opt-out this link caused counts on the step's row of the day the email was sent, once
      // per customer and journey. A token issued before tokens named the send step counts on no
      // step, as one issued before they named the journey counts on no journey.
      const { campaignId, step, variant, sentOn } = check.claims;
      if (campaignId && step && sentOn) {
        const day = now.toISOString().slice(0, 10);
        const expiresAt = expiresAfter(now, EMAIL_HISTORY_DAYS);
        if (await markers.firstUnsubscribe({ customerId, journeyId: campaignId, day, expiresAt }))
          await stepResults.add({ journeyId: campaignId, stepId: step, variant, day: sentOn }, { unsubscribed: 1 });
      }
    }
    return unsubscribePage('unsubscribed', language);
  };
}

export const handler = lambdaEntry(createHandler);
