import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIPv4 } from 'node:net';
import type { TConfig } from '@paperboy/config';
import { z } from 'zod';

// The request id reaches every log line of the request and the payload of each job it queues, so
// a client does not choose it: X-Request-Id is taken only from a peer TRUST_PROXY names (a proxy
// that sets it), and only in a short, plain form; otherwise the id is generated.
const ZRequestId = z.string().regex(/^[\w.-]{1,64}$/);

type TTrustProxy = TConfig['security']['trustProxy'];

function createPeerTrust(trustProxy: TTrustProxy): (address: string | undefined) => boolean {
  if (trustProxy === false) return () => false;
  // A hop count trusts whoever connects, as Fastify's own trustProxy does for the first hop.
  if (typeof trustProxy === 'number') return () => true;
  const trusted = new BlockList();
  for (const entry of trustProxy) {
    const [address = '', prefix] = entry.split('/');
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    if (!address) return false;
    const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    return trusted.check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6');
  };
}

/** Fastify's genReqId: a trusted proxy's well-formed X-Request-Id, else a fresh UUID. */
export function createRequestIdGenerator(trustProxy: TTrustProxy): (request: IncomingMessage) => string {
  const isTrustedPeer = createPeerTrust(trustProxy);
  return (request) => {
    const parsed = ZRequestId.safeParse(request.headers['x-request-id']);
    return parsed.success && isTrustedPeer(request.socket.remoteAddress) ? parsed.data : randomUUID();
  };
}
