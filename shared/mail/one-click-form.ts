// The body of an RFC 8058 one-click POST: mail providers send `List-Unsubscribe=One-Click` as
// application/x-www-form-urlencoded or, as the RFC recommends accepting, multipart/form-data.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The posted fields, or undefined when the body is not a form this endpoint can read. */
export async function oneClickForm(event: APIGatewayProxyEventV2): Promise<URLSearchParams | undefined> {
  const body = event.body
    ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
    : Buffer.alloc(0);
  // A body without a content type is read as the urlencoded form the RFC shows.
  const contentType = event.headers?.['content-type'] || 'application/x-www-form-urlencoded';
  try {
    // The WHATWG form parser (undici) reads both encodings, multipart boundaries included.
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    const fields = new URLSearchParams();
    for (const [name, value] of form) if (typeof value === 'string') fields.append(name, value);
    return fields;
  } catch {
    return undefined;
  }
}
