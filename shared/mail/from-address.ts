// The From header value SES v2 is given: a display name beside the address must be an RFC 5322
// phrase — an atom run as it is, a quoted string when it holds specials such as a comma — and
// anything outside ASCII must be MIME encoded-words (RFC 2047), as SES's FromEmailAddress requires.

/** RFC 5322 atext plus the spaces between atoms: such a name needs no quoting. */
const PLAIN_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?: [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** An encoded-word may be at most 75 characters (RFC 2047 §2): 12 of them are `=?UTF-8?B?` and `?=`. */
const MAX_ENCODED_TEXT = 75 - '=?UTF-8?B?'.length - '?='.length;

/** `Name <address>` with the name encoded so the header is valid; the bare address without one. */
export function fromAddress(name: string | undefined, address: string): string {
  if (!name) return address;
  return `${displayName(name)} <${address}>`;
}

function displayName(name: string): string {
  if (/\p{Cc}/u.test(name))
    throw new Error(`sender name ${JSON.stringify(name)} contains a control character`);
  if (PLAIN_PHRASE.test(name)) return name;
  if (PRINTABLE_ASCII.test(name)) return `"${name.replace(/(["\\])/g, '\\$1')}"`;
  return encodedWords(name);
}

/** Base64 encoded-words, split between characters so no word cuts a UTF-8 sequence in two. */
function encodedWords(name: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const char of name) {
    const next = chunk + char;
    if (Math.ceil(Buffer.byteLength(next, 'utf8') / 3) * 4 > MAX_ENCODED_TEXT) {
      words.push(chunk);
      chunk = char;
    } else chunk = next;
  }
  if (chunk) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join(' ');
}
