# Both services share every package, so one Dockerfile builds both: target `api` or
# `worker` (docker-compose.yml does). Build from the repository root.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY services ./services
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages ./packages
COPY services ./services
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/services/api/dist ./services/api/dist
COPY --from=build /app/services/worker/dist ./services/worker/dist
COPY migrations ./migrations
COPY templates ./templates
COPY seeds ./seeds
USER node

FROM runtime AS api
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "services/api/dist/server.js"]

FROM runtime AS worker
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["node", "services/worker/dist/healthcheck.js"]
CMD ["node", "services/worker/dist/main.js"]
