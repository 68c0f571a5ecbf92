# esim-pools-subgraph: Apollo Server 5 subgraph (Federation 2) for Intune embedded SIM activation code pools.
#
#   docker build -t esim-pools-subgraph .
#   docker run --rm -p 4000:4000 -e GRAPH_AUTH_MODE=app -e AZURE_TENANT_ID=… -e AZURE_CLIENT_ID=… \
#     -e AZURE_CLIENT_SECRET=… -e DATABASE_URL=postgres://… esim-pools-subgraph
# The Graph emulator (packages/graph-emulator) and examples/web are development workspaces: neither is in the image.
#
# Checked by `npm run lint:dockerfile` (scripts/lint-dockerfile.js).
#
# Base image: the official Node.js image, Node 24 "Krypton" (Active LTS, supported to April 2028; Node 20
# reached end of life in April 2026), Debian 12 bookworm, slim variant (glibc, so prebuilt npm binaries work;
# no compilers, curl or wget). Pinned to the full version tag rather than `node:24` or `lts` so that a rebuild
# gives the same Node. 24.21.0 (2026-09-08) is the newest 24.x release found in use as
# node:24.21.0-bookworm-slim, with resolved digests, in other projects; Docker Hub could not be reached from
# the machine this file was written on. Both stages use the same tag: raise both FROM lines with each Node 24
# security release. For byte-for-byte reproducible builds also pin the digest:
# node:24.21.0-bookworm-slim@sha256:<digest from `docker buildx imagetools inspect node:24.21.0-bookworm-slim`>.

# ---- build: install every dependency, check the generated types, compile src/ to dist/ ----
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app

# The manifest and lockfile first, so the dependency layer is reused until they change.
# --ignore-scripts: the project has no install scripts of its own and its dependencies' ones are not needed.
# --workspaces=false: the root's dependencies only; the server's build needs neither workspace (packages/graph-emulator,
# examples/web), and they are not copied.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --workspaces=false --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json codegen.yml ./
COPY scripts/codegen-check.sh ./scripts/
COPY schema ./schema
COPY src ./src
# src/generated is committed; codegen:check only fails the build when it no longer matches schema/.
# This is `npm run build` without the Graph emulator and the offline GraphQL explorer (src/explorer-web/, built into
# dist/explorer/ by scripts/build-explorer.mjs): the image runs with NODE_ENV=production, where the explorer is never
# served, so the image leaves it out. (Run with NODE_ENV=development, the landing page says it was not built.)
# The incremental build's record (dist/.tsbuildinfo) is of no use in the image.
# dist/ holds the server and its migrations: the Kubernetes manifests run `node dist/history/migrate-cli.js` from
# this image before the server starts (deploy/kubernetes/README.md, "PostgreSQL").
# tsc -b of tsconfig.build.json alone: build:server also builds the emulator workspace, which the image leaves out.
RUN npm run codegen:check && npx tsc -b tsconfig.build.json && rm -f dist/.tsbuildinfo

# ---- runtime: production dependencies, dist/ and schema/, run as the unprivileged `node` user ----
FROM node:24.21.0-bookworm-slim AS runtime

LABEL org.opencontainers.image.title="esim-pools-subgraph" \
      org.opencontainers.image.description="Apollo Server 5 GraphQL subgraph (Federation 2) for Microsoft Graph's Intune embedded SIM activation code pools"

# tini as PID 1: forwards SIGTERM/SIGINT to Node and reaps zombies (same as `docker run --init`).
# Not version-pinned: Debian's security updates replace old package versions in the archive.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production
WORKDIR /app

# Production dependencies of the root only (--workspaces=false: not the emulator's, nor examples/web's), without
# install scripts; the npm cache is removed in the same layer.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspaces=false \
    && npm cache clean --force

# The runtime reads ../schema/schema.graphql relative to dist/, so the two sit side by side in /app.
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node schema ./schema

USER node

# Configuration (environment variables; see src/config/). The process validates them at start and exits
# with a message naming each bad variable.
#   GRAPH_AUTH_MODE    REQUIRED with NODE_ENV=production (set above): app | obo | emulator.
#                      app = the application's own rights (client credentials); obo = on-behalf-of the caller;
#                      emulator = a Graph emulator, never Microsoft Graph: the image has none built in, so only
#                      with GRAPH_BASE_URL naming one (without it the start stops with a message saying so).
#   AZURE_TENANT_ID    tenant GUID; required for app and obo.
#   AZURE_CLIENT_ID    app registration GUID; required for obo and with a secret or certificate.
#   The credential, passed at run time (an orchestrator secret or a mounted file, never baked into the image):
#     AZURE_CLIENT_SECRET            client secret (app or obo), or
#     AZURE_CLIENT_CERTIFICATE_PATH  certificate file with its private key (app or obo;
#                                    AZURE_CLIENT_CERTIFICATE_PASSWORD if the key is encrypted), or
#     AZURE_FEDERATED_TOKEN_FILE     workload identity token file (app; e.g. AKS workload identity);
#     with none of them, app mode uses managed identity.
#   DATABASE_URL       REQUIRED with NODE_ENV=production (a secret): the assignment history's PostgreSQL,
#                      postgres://user:password@host:5432/db; or HISTORY_PATH on a persistent volume, or HISTORY=off.
#                      Migrations: node dist/history/migrate-cli.js (start-up applies them too).
#   PORT               listening port, default 4000 (EXPOSE and HEALTHCHECK below assume 4000 unless PORT is set).
#   HOST               listening address, default 0.0.0.0 in production; the health check calls 127.0.0.1.
#   LOG_LEVEL          fatal | error | warn | info (default) | debug | trace | silent; JSON logs on stdout.
#   The others (GRAPH_CLOUD, Graph timeouts and limits, INTROSPECTION, shutdown timing, ...) are in src/config/.
#
# Probes:
#   liveness   GET /healthz  200 while the process serves HTTP.
#   readiness  GET /readyz   200 when ready; 503 while shutting down (after SIGTERM, in-flight requests finish).
#   GraphQL    POST /graphql
# Shutdown: SIGTERM -> readiness 503 -> in-flight requests finish -> exit 0. `docker stop` sends SIGKILL after
# 10 s: give it (or Kubernetes' terminationGracePeriodSeconds) more than the service's shutdown time.
EXPOSE 4000

# Node itself is the HTTP client: the slim image has no curl or wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["node", "-e", "require('http').get('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz', r => process.exit(r.statusCode===200?0:1)).on('error', () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
# Exec form and node directly (not npm), so SIGTERM from `docker stop` reaches Node through tini.
# V8 heap sizing (docs/performance.md): a slower-growing old generation (and a 24 MiB instead of 32 MiB young one)
# keeps RSS under load at ~135-145 MiB instead of 170-210 MiB; no hard heap limit, so no out-of-memory cliff.
# `npm run bench` starts the subgraph with the options of this line.
CMD ["node", "--max-semi-space-size=12", "--heap-growing-percent=30", "dist/index.js"]
