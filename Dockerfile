# Moim: the relay serving the built app and the sync rooms on one port (docs/DEPLOY.md).
#   docker build -t moim .
#   docker run -p 8787:8787 -v moim-data:/data moim                       # one machine, LevelDB in /data
#   docker run -e STORE=postgres -e DATABASE_URL=postgres://… moim        # one of several relays (compose.yaml)

# Build stage: the app (vite build into build/) and the relay compiled into relay-build/main.js,
# exactly what `npm start` builds (scripts/start.js).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Install scripts stay off, as package.json's allowScripts records: none of the dependencies needs one.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && node scripts/build-relay.js

# Runtime stage: production dependencies, the two build outputs, nothing else; runs as the image's `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=8787 \
    HOST=0.0.0.0 \
    DATA_DIR=/data \
    BUILD_DIR=/app/build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/build ./build
COPY --from=build /src/relay-build ./relay-build
# The LevelDB folder (STORE unset): mount a persistent volume here. Unused with STORE=postgres.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8787
# Liveness only (the process answers); readiness, which also needs the store, is /readyz.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8787)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM (docker stop) makes the relay flush, close every websocket with 4503 and exit; give it time to.
STOPSIGNAL SIGTERM
# Flags as scripts/build-relay.js `relayNodeFlags`; malloc settings as its `relayMalloc` (why: there).
ENV GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.malloc.mxfast=0:glibc.malloc.tcache_count=0:glibc.malloc.trim_threshold=65536
CMD ["node", "--enable-source-maps", "--max-semi-space-size=4", "relay-build/main.js"]
