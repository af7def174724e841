import { createVerify, X509Certificate } from 'node:crypto';
import { get } from 'node:https';
import { z } from 'zod';

/**
 * Amazon SNS message signatures, as AWS documents them: the signature covers a canonical string
 * of "Name\nvalue\n" pairs in a fixed order (Subject only when present), SHA1withRSA for
 * SignatureVersion 1 and SHA256withRSA for 2, checked against the X.509 certificate at
 * SigningCertURL. That URL must be https on the SNS host (`sns.<region>.amazonaws.com`) and name
 * a .pem file, or anyone could sign with a certificate of their own.
 */
export const ZSnsMessage = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1).max(200),
  TopicArn: z.string().min(1).max(300),
  Subject: z.string().max(500).optional(),
  Message: z.string().max(256 * 1024),
  Timestamp: z.string().min(1).max(64),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1).max(4096),
  SigningCertURL: z.url(),
  SubscribeURL: z.url().optional(),
  Token: z.string().max(2048).optional(),
  UnsubscribeURL: z.url().optional(),
});
export type TSnsMessage = z.infer<typeof ZSnsMessage>;

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const SUBSCRIPTION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

export function snsCanonicalString(message: TSnsMessage): string {
  const fields = message.Type === 'Notification' ? NOTIFICATION_FIELDS : SUBSCRIPTION_FIELDS;
  return fields
    .filter((field) => message[field] !== undefined)
    .map((field) => `${field}\n${message[field]}\n`)
    .join('');
}

// SNS serves certificates and subscription links only from its regional endpoints; a looser rule
// (any amazonaws.com host) would admit an S3 bucket anyone can create and fill with a certificate.
const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/**
 * An https URL, without credentials, on an SNS regional endpoint on the default port, or, when
 * `certHost` is given (a test's or a proxy's own server), on exactly that host.
 */
export function isAllowedSnsUrl(url: string, certHost: string | undefined): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const host = parsed.hostname.toLowerCase();
  const isAllowedHost = certHost === undefined ? SNS_HOST.test(host) && parsed.port === '' : host === certHost.toLowerCase();
  return parsed.protocol === 'https:' && isAllowedHost && parsed.username === '' && parsed.password === '';
}

/** A SigningCertURL: an allowed SNS URL whose path names a PEM file. */
export function isAllowedSnsCertUrl(url: string, certHost: string | undefined): boolean {
  return isAllowedSnsUrl(url, certHost) && new URL(url).pathname.endsWith('.pem');
}

/** Fetches a URL over https; the CA option lets tests trust their own local server. */
export type TSnsHttpsGet = (url: string) => Promise<string>;

export function createSnsHttpsGet({ ca }: { ca?: string } = {}): TSnsHttpsGet {
  return (url) =>
    new Promise((resolve, reject) => {
      const request = get(url, { ca, timeout: 5_000 }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`GET answered ${response.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > 64 * 1024) request.destroy(new Error('response too large'));
          else chunks.push(chunk);
        });
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', reject);
    });
}

export type TSnsVerifier = (message: TSnsMessage) => Promise<boolean>;

/** Checks signatures, fetching each signing certificate once (AWS rotates them rarely). */
export function createSnsVerifier({ certHost, httpsGet }: { certHost: string | undefined; httpsGet: TSnsHttpsGet }): TSnsVerifier {
  const certificates = new Map<string, Promise<X509Certificate>>();
  const certificateAt = (url: string) => {
    let certificate = certificates.get(url);
    if (!certificate) {
      certificate = httpsGet(url).then((pem) => new X509Certificate(pem));
      // A failed fetch is not cached: the next message tries again.
      certificate.catch(() => certificates.delete(url));
      if (certificates.size > 20) certificates.clear();
      certificates.set(url, certificate);
    }
    return certificate;
  };
  return async (message) => {
    if (!isAllowedSnsCertUrl(message.SigningCertURL, certHost)) return false;
    const certificate = await certificateAt(message.SigningCertURL);
    const now = Date.now();
    if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) return false;
    const verifier = createVerify(message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
    verifier.update(snsCanonicalString(message), 'utf8');
    return verifier.verify(certificate.publicKey, message.Signature, 'base64');
  };
}
