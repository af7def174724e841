/**
 * Header values as they go on the wire. Nothing from data reaches a header unchecked: a CR or
 * LF is refused (never cleaned silently), an address must be a plain ASCII addr-spec, and any
 * value that is not printable ASCII is written as RFC 2047 encoded words.
 */

export class HeaderInjectionError extends Error {
  constructor(field: string, problem = 'contains a line break') {
    super(`Refusing to send: ${field} ${problem}`);
    this.name = 'HeaderInjectionError';
  }
}

export function assertSingleLine(field: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new HeaderInjectionError(field);
  return value;
}

// An addr-spec of printable ASCII with no white space, brackets, quotes, commas or semicolons:
// what the signup form accepts, and nothing that could open a second address or header.
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

export function assertAddress(field: string, value: string): string {
  assertSingleLine(field, value);
  if (value.length > 254 || !ADDRESS.test(value)) throw new HeaderInjectionError(field, 'is not a plain email address');
  return value;
}

const FIELD_NAME = /^[!-9;-~]+$/;

export function assertHeaderName(name: string): string {
  assertSingleLine(`header ${name}`, name);
  if (!FIELD_NAME.test(name)) throw new HeaderInjectionError(`header ${name}`, 'is not a valid header name');
  return name;
}

const PRINTABLE_ASCII = /^[\x20-\x7e\t]*$/;
// 45 bytes of UTF-8 become 60 base64 characters: an encoded word of 72, inside RFC 2047's 75.
const WORD_BYTES = 45;

/** The value as it may follow "Name: ": itself when printable ASCII of a sane length, else encoded words. */
export function encodeHeaderValue(field: string, value: string): string {
  assertSingleLine(field, value);
  if (PRINTABLE_ASCII.test(value) && value.length <= 900) return value;
  const bytes = Buffer.from(value, 'utf8');
  const words: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + WORD_BYTES, bytes.length);
    // Never split a character: back up while the next byte is a UTF-8 continuation byte.
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end -= 1;
    words.push(`=?UTF-8?B?${bytes.toString('base64', start, end)}?=`);
    start = end;
  }
  // Adjacent encoded words separated by folding white space decode as one run of text.
  return words.join('\r\n ');
}

/** "Name <address>" or a bare address, split once so the From line can be written correctly. */
export function parseMailbox(field: string, value: string): { name: string; address: string } {
  assertSingleLine(field, value);
  const match = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(value);
  if (!match) return { name: '', address: assertAddress(field, value.trim()) };
  return { name: match[1]!.replace(/^"(.*)"$/, '$1'), address: assertAddress(field, match[2]!) };
}

export function formatMailbox({ name, address }: { name: string; address: string }): string {
  if (name === '') return address;
  if (!PRINTABLE_ASCII.test(name)) return `${encodeHeaderValue('display name', name)} <${address}>`;
  // Anything beyond atext and spaces (a dot, a comma, parentheses) needs a quoted string.
  if (/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/.test(name)) return `${name} <${address}>`;
  return `"${name.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

/** RFC 5322 date-time in UTC: "Tue, 01 Dec 2026 14:11:21 +0000". */
export function formatDate(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}
