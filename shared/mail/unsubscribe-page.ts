// The pages the unsubscribe endpoint answers with, in the customer's language like the emails
// that carried the link (en-US, zh-CN): the profile's locale once the token names a customer,
// the browser's Accept-Language before that, English otherwise.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { escapeHtml } from './escape-html.ts';

export type UnsubscribePage =
  | 'not-allowed'
  | 'incomplete'
  | 'invalid'
  | 'expired'
  | 'forged'
  | 'not-this-subscription'
  | 'confirm'
  | 'not-one-click'
  | 'unsubscribed'
  | 'already-unsubscribed';

interface PageText {
  status: number;
  title: string;
  body: string;
}

type Language = 'en' | 'zh';

const PAGES: Record<Language, Record<UnsubscribePage, PageText>> = {
  en: {
    'not-allowed': { status: 405, title: 'Not allowed', body: 'Use GET or POST.' },
    incomplete: { status: 400, title: 'Invalid link', body: 'This unsubscribe link is incomplete.' },
    invalid: { status: 400, title: 'Invalid link', body: 'This unsubscribe link is not valid.' },
    expired: {
      status: 403,
      title: 'Link not valid',
      body: 'This unsubscribe link is too old. Use the link in a recent email, or contact us.',
    },
    forged: {
      status: 403,
      title: 'Link not valid',
      body: 'This unsubscribe link is not valid. Use the link in a recent email, or contact us.',
    },
    'not-this-subscription': {
      status: 403,
      title: 'Link not valid',
      body: 'This unsubscribe link does not belong to this subscription.',
    },
    confirm: { status: 200, title: 'Unsubscribe', body: 'Stop receiving marketing emails from us?' },
    'not-one-click': {
      status: 400,
      title: 'Invalid request',
      body: 'Expected the one-click unsubscribe form (List-Unsubscribe=One-Click).',
    },
    unsubscribed: {
      status: 200,
      title: 'Unsubscribed',
      body: 'You are unsubscribed from our marketing emails. It can take a moment for emails already on their way.',
    },
    'already-unsubscribed': {
      status: 200,
      title: 'Unsubscribed',
      body: 'You are unsubscribed from our marketing emails.',
    },
  },
  zh: {
    'not-allowed': { status: 405, title: '不允许的请求', body: '请使用 GET 或 POST。' },
    incomplete: { status: 400, title: '链接无效', body: '此退订链接不完整。' },
    invalid: { status: 400, title: '链接无效', body: '此退订链接无效。' },
    expired: {
      status: 403,
      title: '链接无效',
      body: '此退订链接已过期。请使用最近一封邮件中的链接，或联系我们。',
    },
    forged: {
      status: 403,
      title: '链接无效',
      body: '此退订链接无效。请使用最近一封邮件中的链接，或联系我们。',
    },
    'not-this-subscription': { status: 403, title: '链接无效', body: '此退订链接不属于该订阅。' },
    confirm: { status: 200, title: '退订', body: '不再接收我们的营销邮件？' },
    'not-one-click': {
      status: 400,
      title: '请求无效',
      body: '应为一键退订表单（List-Unsubscribe=One-Click）。',
    },
    unsubscribed: {
      status: 200,
      title: '已退订',
      body: '您已退订我们的营销邮件。已在途中的邮件可能仍会送达。',
    },
    'already-unsubscribed': { status: 200, title: '已退订', body: '您已退订我们的营销邮件。' },
  },
};

const BUTTON: Record<Language, string> = { en: 'Unsubscribe', zh: '退订' };
const HTML_LANG: Record<Language, string> = { en: 'en-US', zh: 'zh-CN' };

/** The page language: the profile's locale, else the first supported Accept-Language tag, else English. */
export function pageLanguage(
  profileLocale: string | undefined,
  acceptLanguage: string | undefined,
): Language {
  const candidates = [
    profileLocale,
    ...(acceptLanguage ?? '')
      .split(',')
      .map((part) => part.split(';')[0]?.trim())
      .filter((tag) => tag && tag !== '*'),
  ];
  for (const tag of candidates) {
    const language = tag?.toLowerCase().split('-')[0];
    if (language === 'en' || language === 'zh') return language;
  }
  return 'en';
}

/** A page of the endpoint; `confirmAction` (the confirm page only) is where its button posts. */
export function unsubscribePage(
  page: UnsubscribePage,
  language: Language,
  confirmAction?: string,
): APIGatewayProxyStructuredResultV2 {
  const text = PAGES[language][page];
  const form =
    page === 'confirm' && confirmAction !== undefined
      ? `<form method="post" action="${escapeHtml(confirmAction)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${BUTTON[language]}</button></form>`
      : '';
  return {
    statusCode: text.status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-language': HTML_LANG[language],
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      'referrer-policy': 'no-referrer',
    },
    body: `<!doctype html><html lang="${HTML_LANG[language]}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(text.title)}</title></head><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto"><p>${escapeHtml(text.body)}</p>${form}</body></html>`,
  };
}
