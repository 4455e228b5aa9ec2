# syntax=docker/dockerfile:1
# One multi-stage image for the demo stack: `build` compiles the workspace once, then each runtime target
# (cli, producer, worker, dashboard) gets only its app's production dependencies via `pnpm deploy`.

# ---------------------------------------------------------------- build
FROM node:20-bookworm-slim AS build
RUN npm i -g pnpm@10.34.9
WORKDIR /repo
# Manifests first so the dependency layer is cached until a lockfile or package.json changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc turbo.json tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
RUN pnpm install --frozen-lockfile
RUN pnpm -r build
# --legacy: pnpm 10 otherwise requires inject-workspace-packages for deploy; the legacy deploy copies each
# workspace dependency's published files (its package.json "files", i.e. dist) into the output.
RUN pnpm deploy --legacy --filter @celers/cli --prod /out/cli \
 && pnpm deploy --legacy --filter @celers/demo-producer --prod /out/producer \
 && pnpm deploy --legacy --filter @celers/demo-worker --prod /out/worker \
 && pnpm deploy --legacy --filter @celers/dashboard --prod /out/dashboard

# ---------------------------------------------------------------- runtime base
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# The official image ships a non-root `node` user (uid 1000).
USER node

# ---------------------------------------------------------------- cli (`celers migrate`, `celers status`, ...)
FROM runtime AS cli
COPY --from=build --chown=node:node /out/cli ./
ENTRYPOINT ["node", "dist/bin.js"]
CMD ["--help"]

# ---------------------------------------------------------------- demo producer
FROM runtime AS producer
COPY --from=build --chown=node:node /out/producer ./
CMD ["node", "dist/main.js"]

# ---------------------------------------------------------------- demo worker (Prometheus metrics on 9464)
# /metrics listens on the container's loopback unless METRICS_HOST=0.0.0.0 is set, which also needs
# METRICS_TOKEN (or an explicit METRICS_INSECURE_NO_AUTH=1, as docker-compose.yml's demo does).
FROM runtime AS worker
COPY --from=build --chown=node:node /out/worker ./
ENV METRICS_PORT=9464
EXPOSE 9464
CMD ["node", "dist/main.js"]

# ---------------------------------------------------------------- web dashboard (http://localhost:8080)
# Listens on all interfaces of the container, so it refuses to start without CELERS_DASHBOARD_TOKEN (or
# CELERS_DASHBOARD_USER + CELERS_DASHBOARD_PASSWORD, or an explicit --insecure-no-auth).
FROM runtime AS dashboard
COPY --from=build --chown=node:node /out/dashboard ./
EXPOSE 8080
CMD ["node", "dist/main.js", "--port", "8080", "--host", "0.0.0.0"]
