// `GET /_local/dead-letters` answers a page at a time with each body cut to a preview, so a
// pile of large rejected events stays a quick listing; the whole body, byte for byte, is one
// request away (`GET /_local/dead-letters/<messageId>`) and redrive replays it unchanged.
import type { DeadLetter } from './runtime.ts';

export const DEAD_LETTER_PAGE = { defaultLimit: 50, maxLimit: 500, bodyPreviewChars: 1024 } as const;

export interface DeadLetterSummary extends Omit<DeadLetter, 'body'> {
  bodyPreview: string;
  bodyChars: number;
  /** Where the whole letter is: `GET` it for the full body. */
  href: string;
}

export interface DeadLetterPage {
  total: number;
  offset: number;
  limit: number;
  /** The `offset` of the next page, or null on the last one. */
  nextOffset: number | null;
  deadLetters: DeadLetterSummary[];
}

/** A page of the letters, or an error naming the bad query parameter. */
export function deadLetterPage(
  letters: DeadLetter[],
  query: URLSearchParams,
): DeadLetterPage | { error: string } {
  const offset = whole(query.get('offset'), 0);
  const limit = whole(query.get('limit'), DEAD_LETTER_PAGE.defaultLimit);
  if (offset === undefined)
    return { error: `offset ${JSON.stringify(query.get('offset'))} must be a whole number ≥ 0` };
  if (limit === undefined || limit < 1 || limit > DEAD_LETTER_PAGE.maxLimit) {
    return {
      error: `limit ${JSON.stringify(query.get('limit'))} must be a whole number from 1 to ${DEAD_LETTER_PAGE.maxLimit}`,
    };
  }
  const page = letters.slice(offset, offset + limit);
  return {
    total: letters.length,
    offset,
    limit,
    nextOffset: offset + limit < letters.length ? offset + limit : null,
    deadLetters: page.map(({ body, ...letter }) => ({
      ...letter,
      bodyPreview:
        body.length > DEAD_LETTER_PAGE.bodyPreviewChars
          ? `${body.slice(0, DEAD_LETTER_PAGE.bodyPreviewChars)}…`
          : body,
      bodyChars: body.length,
      href: `/_local/dead-letters/${encodeURIComponent(letter.messageId)}`,
    })),
  };
}

function whole(text: string | null, fallback: number): number | undefined {
  if (text === null) return fallback;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
