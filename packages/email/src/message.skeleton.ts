import { randomBytes } from 'node:crypto';
import { assertAddress, assertHeaderName, assertSingleLine, encodeHeaderValue, formatDate, formatMailbox, HeaderInjectionError, parseMailbox } from './message.headers.ts';

/** What differs from one recipient to the next; everything else is in the skeleton. */
export type TOutgoingEmail = {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Deterministic per delivery, so a retried send carries the same id. */
  messageId: string;
  /** List-Unsubscribe targets (https: or mailto: URLs), each written as <...>. */
  listUnsubscribe?: string[];
};

export type TEnvelope = { from: string; to: string[] };

/** A message ready for SMTP: the envelope it goes under and its bytes, CRLF line ends. */
export type TComposedMessage = { envelope: TEnvelope; raw: Buffer; messageId: string };

export type TMessageSkeleton = {
  compose: (email: TOutgoingEmail, options?: { envelopeFrom?: string; date?: Date }) => TComposedMessage;
};

const LINE = 76;
const MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;

/**
 * One template's message, built once per process: From and the headers that never change, the
 * MIME structure, the boundary and the part headers are bytes made at start-up. Per recipient
 * only To, Subject, Message-ID, Date, List-Unsubscribe and the two bodies are written, into one
 * buffer of the exact size.
 *
 * Bodies are base64: Node encodes it in native code, where quoted-printable is a JavaScript loop
 * over every byte (it was most of a sender's CPU), and digests carry typographic characters, so
 * they are never 7-bit anyway. The boundary starts with "=_", which base64 never produces, so no
 * body line can ever be mistaken for it.
 *
 * The bounce address (a VERP address per delivery) goes only into the envelope: the receiving
 * server writes Return-Path from MAIL FROM (RFC 5321, 4.4), and one written here would be
 * replaced or duplicated.
 */
export function createMessageSkeleton({ from, headers = {} }: { from: string; headers?: Record<string, string> }): TMessageSkeleton {
  const sender = parseMailbox('from', from);
  const boundary = `=_pb_${randomBytes(12).toString('hex')}`;
  const fixed = [`From: ${formatMailbox(sender)}`];
  for (const [name, value] of Object.entries(headers)) fixed.push(`${assertHeaderName(name)}: ${encodeHeaderValue(`header ${name}`, value)}`);
  fixed.push('MIME-Version: 1.0', `Content-Type: multipart/alternative; boundary="${boundary}"`, '', `--${boundary}`);
  const part = (type: string) => [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: base64', '', ''].join('\r\n');
  const head = Buffer.from(`${fixed.join('\r\n')}\r\n${part('text/plain')}`, 'latin1');
  const middle = Buffer.from(`--${boundary}\r\n${part('text/html')}`, 'latin1');
  const tail = Buffer.from(`--${boundary}--\r\n`, 'latin1');

  return {
    compose: (email, { envelopeFrom = sender.address, date = new Date() } = {}) => {
      const top = Buffer.from(recipientHeaders(email, date), 'latin1');
      const text = Buffer.from(email.text, 'utf8');
      const html = Buffer.from(email.html, 'utf8');
      const raw = Buffer.allocUnsafe(top.length + head.length + wrappedLength(text) + middle.length + wrappedLength(html) + tail.length);
      let offset = top.copy(raw, 0);
      offset += head.copy(raw, offset);
      offset = writeWrapped(raw, offset, text);
      offset += middle.copy(raw, offset);
      offset = writeWrapped(raw, offset, html);
      tail.copy(raw, offset);
      return { envelope: { from: assertAddress('envelope sender', envelopeFrom), to: [email.to] }, raw, messageId: email.messageId };
    },
  };
}

function recipientHeaders(email: TOutgoingEmail, date: Date): string {
  assertAddress('to', email.to);
  assertSingleLine('messageId', email.messageId);
  if (!MESSAGE_ID.test(email.messageId)) throw new HeaderInjectionError('messageId', 'is not a <local@host> message id');
  const lines = [
    `To: ${email.to}`,
    `Subject: ${encodeHeaderValue('subject', email.subject)}`,
    `Message-ID: ${email.messageId}`,
    `Date: ${formatDate(date)}`,
  ];
  if (email.listUnsubscribe?.length) {
    for (const target of email.listUnsubscribe) {
      assertSingleLine('List-Unsubscribe', target);
      if (!/^(https?|mailto):[\x21-\x7e]+$/.test(target) || /[<>]/.test(target)) throw new HeaderInjectionError('List-Unsubscribe', 'is not a plain URL');
    }
    lines.push(`List-Unsubscribe: ${email.listUnsubscribe.map((target) => `<${target}>`).join(',\r\n ')}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Base64 of `bytes` plus a CRLF after every line of 76 (RFC 2045), the last line included. */
function wrappedLength(bytes: Buffer): number {
  const encoded = Math.ceil(bytes.length / 3) * 4;
  return encoded + 2 * Math.ceil(encoded / LINE);
}

/**
 * Encodes `bytes` into `target` at `start`, wrapped. The whole body is encoded in one native call
 * at the end of its space, then each line is moved forward into place (a memmove, no string per
 * line): the per-line string slices this replaced were most of a composed message's cost.
 */
function writeWrapped(target: Buffer, start: number, bytes: Buffer): number {
  const length = wrappedLength(bytes);
  const encodedLength = Math.ceil(bytes.length / 3) * 4;
  const encodedAt = start + length - encodedLength;
  target.write(bytes.toString('base64'), encodedAt, 'latin1');
  let offset = start;
  for (let index = 0; index < encodedLength; index += LINE) {
    const end = Math.min(index + LINE, encodedLength);
    target.copyWithin(offset, encodedAt + index, encodedAt + end);
    offset += end - index;
    target[offset++] = 0x0d;
    target[offset++] = 0x0a;
  }
  return offset;
}
