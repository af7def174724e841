import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface FastifyInstance {
    /** preHandler for admin routes: `Authorization: Bearer $ADMIN_TOKEN`, else 401. */
    requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

// Hashing both sides first gives equal-length buffers, so the comparison takes the same
// time whatever the length or content of the guess.
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function isAdminToken(candidate: string | undefined, adminToken: string): boolean {
  return timingSafeEqual(digest(candidate ?? ''), digest(adminToken)) && candidate !== undefined;
}

export const adminAuthPlugin = fp(
  (app: FastifyInstance, options: { adminToken: string }) => {
    app.decorate('requireAdmin', async (request: FastifyRequest, reply: FastifyReply) => {
      const header = request.headers.authorization ?? '';
      const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
      if (!isAdminToken(token, options.adminToken)) {
        await reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="paperboy-admin"')
          .send({ error: { code: 'admin.unauthorized', message: 'A valid admin bearer token is required.' } });
      }
    });
  },
  { name: 'admin-auth' },
);
