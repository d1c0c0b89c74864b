# One image for every Node process of Experience Graph: the three subgraphs, the gateway, the
# lifecycle worker, the outbox relay and the one-shot command line (migrate, seed).
# docker-compose.yml picks the process with `command:`. Debian (glibc), not Alpine:
# @temporalio/worker's native core bridge and @swc/core ship prebuilt binaries for linux-*-gnu
# only.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The manifests alone first, so editing source does not invalidate the `npm ci` layer. npm ci
# needs every workspace's package.json to match the lock file.
COPY package.json package-lock.json ./
COPY packages/access/package.json packages/access/
COPY packages/dev-auth/package.json packages/dev-auth/
COPY packages/config/package.json packages/config/
COPY packages/metrics/package.json packages/metrics/
COPY packages/tracing/package.json packages/tracing/
COPY packages/neo4j/package.json packages/neo4j/
COPY packages/server-kit/package.json packages/server-kit/
COPY packages/test-kit/package.json packages/test-kit/
COPY packages/customer-value/package.json packages/customer-value/
COPY packages/identity/package.json packages/identity/
COPY packages/segments/package.json packages/segments/
COPY packages/device-health/package.json packages/device-health/
COPY packages/erasure-keys/package.json packages/erasure-keys/
COPY packages/outbox/package.json packages/outbox/
COPY packages/intake/package.json packages/intake/
COPY packages/client/package.json packages/client/
COPY subgraphs/products/package.json subgraphs/products/
COPY subgraphs/customers/package.json subgraphs/customers/
COPY subgraphs/campaigns/package.json subgraphs/campaigns/
COPY workflows/package.json workflows/
COPY relay/package.json relay/
COPY gateway/package.json gateway/
COPY console/package.json console/
COPY schema/package.json schema/
COPY scripts/package.json scripts/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund
COPY . .
# The build needs the devDependencies (graphql-codegen, tsx for the supergraph check, tsc);
# the processes do not, so they are pruned once the build is done.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# Production: introspection, suggestions and any landing page are off except for admins and
# services (see README, "Access").
ENV NODE_ENV=production
ENV APOLLO_TELEMETRY_DISABLED=true
WORKDIR /app
# The whole built tree, not just dist/: the servers read files beside their code at run time
# (subgraphs' src/schema.graphql, schema/supergraph.graphql, packages/neo4j/migrations), and
# the workspace packages resolve through the symlinks in node_modules/@experience-graph. Owned by
# root and only read by the unprivileged user: no process writes to its own tree.
COPY --from=build /app /app
# The base image's `node` user, numeric so that runtimes can verify it is not root.
USER 1000:1000
# Without a command the image is the gateway; compose names each process explicitly.
CMD ["node", "--enable-source-maps", "gateway/dist/main.js"]
