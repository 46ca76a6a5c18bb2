import { describe, expect, it } from 'vitest';
import { fromAddress } from '#shared/mail/from-address.ts';

/** Decodes RFC 2047 B-encoded words the way a mail client shows the name. */
function decodeWords(phrase: string): string {
  return phrase
    .split(' ')
    .map((word) => {
      const match = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(word);
      if (!match?.[1]) throw new Error(`not an encoded word: ${word}`);
      return Buffer.from(match[1], 'base64').toString('utf8');
    })
    .join('');
}

describe('From header', () => {
  it('leaves a plain name and a bare address as they are', () => {
    expect(fromAddress('Shop Rewards', 'news@shop.example')).toBe('Shop Rewards <news@shop.example>');
    expect(fromAddress(undefined, 'news@shop.example')).toBe('news@shop.example');
  });

  it('quotes a name with RFC 5322 specials, escaping quotes and backslashes', () => {
    expect(fromAddress('Shop, Inc.', 'a@b.example')).toBe('"Shop, Inc." <a@b.example>');
    expect(fromAddress('The "Best" \\ Shop', 'a@b.example')).toBe('"The \\"Best\\" \\\\ Shop" <a@b.example>');
  });

  it('encodes a non-ASCII name as encoded-words of at most 75 characters that never split a character', () => {
    const name = '会员中心🎁'.repeat(6);
    const header = fromAddress(name, 'news@shop.example');
    const phrase = header.slice(0, header.lastIndexOf(' <'));
    expect(header.endsWith(' <news@shop.example>')).toBe(true);
    expect(/^[\x20-\x7e]+$/.test(header)).toBe(true);
    for (const word of phrase.split(' ')) expect(word.length).toBeLessThanOrEqual(75);
    expect(phrase.split(' ').length).toBeGreaterThan(1);
    expect(decodeWords(phrase)).toBe(name);
  });

  it('refuses a control character rather than let it reach the header', () => {
    expect(() => fromAddress('Shop\r\nBcc: x@y', 'a@b.example')).toThrow(/control character/);
  });
});
