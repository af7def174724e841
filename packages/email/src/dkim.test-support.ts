import { createHash, verify, type KeyObject } from 'node:crypto';

/**
 * An independent DKIM check (RFC 6376, relaxed/relaxed, rsa-sha256) for tests: recomputes the
 * body hash and verifies the signature over the signed headers with the public key, so a test
 * proves a receiver would accept what nodemailer signed, without DNS.
 */
export function verifyDkim(raw: string, publicKey: KeyObject): boolean {
  const split = raw.indexOf('\r\n\r\n');
  const fields = raw
    .slice(0, split)
    .split(/\r\n(?![ \t])/)
    .map((field) => ({ name: field.slice(0, field.indexOf(':')).trim().toLowerCase(), field }));
  const signature = fields.find((entry) => entry.name === 'dkim-signature');
  if (!signature) return false;
  const tags = new Map(
    relaxedValue(signature.field)
      .split(';')
      .map((tag) => tag.trim().split(/=(.*)/s, 2) as [string, string])
      .map(([key, value]) => [key.trim(), (value ?? '').replace(/\s+/g, '')]),
  );
  const bodyHash = createHash('sha256').update(relaxedBody(raw.slice(split + 4))).digest('base64');
  if (bodyHash !== tags.get('bh')) return false;

  const used = new Set<number>();
  const signed = (tags.get('h') ?? '').split(':').map((wanted) => {
    const index = fields.findLastIndex((entry, at) => entry.name === wanted.toLowerCase() && !used.has(at) && entry !== signature);
    if (index === -1) return '';
    used.add(index);
    return `${fields[index]!.name}:${relaxedValue(fields[index]!.field)}\r\n`;
  });
  const unsignedSelf = `dkim-signature:${relaxedValue(signature.field).replace(/(^|;)(\s*b=)[^;]*/, '$1$2')}`;
  return verify('sha256', Buffer.from(signed.join('') + unsignedSelf), publicKey, Buffer.from(tags.get('b') ?? '', 'base64'));
}

function relaxedValue(field: string): string {
  return field
    .slice(field.indexOf(':') + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`;
}
