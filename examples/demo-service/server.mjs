// Ramp's demo service, for rollout demos and tests: GET / answers { service, version, replica } with
// an error rate and latency chosen per version through env, reproducible when SEED is set.
// Plain node:http, no dependencies: `PORT=8080 VERSION=v2 ERROR_RATE=0.05 node server.mjs`.
import { createServer } from "node:http";

const env = process.env;
const service = env.SERVICE || env.RAMP_SERVICE || "demo";
const version = env.VERSION || env.RAMP_VERSION || "v1";
const replica = Number(env.RAMP_REPLICA || 0);
const host = env.HOST || "127.0.0.1";
const port = setting("PORT", 8080, 0, 65535);
const errorRate = setting("ERROR_RATE", 0, 0, 1);
const latencyMs = setting("LATENCY_MS", 0, 0, 600_000);
const jitterMs = setting("LATENCY_JITTER_MS", 0, 0, 600_000);
const readyDelayMs = setting("READY_DELAY_MS", 0, 0, 2 ** 31 - 1);
const random = env.SEED ? mulberry32(fnv1a(env.SEED)) : Math.random;
const startedAt = Date.now();

/** A numeric env setting; anything else stops the service with a message, rather than guessing. */
function setting(name, fallback, min, max) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    console.error(`demo-service: ${name}=${JSON.stringify(raw)} must be a number from ${min} to ${max}`);
    process.exit(2);
  }
  return value;
}

/** 32-bit FNV-1a: turns SEED into the PRNG's state. */
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A small seeded PRNG: the same SEED gives the same sequence of errors and delays. */
function mulberry32(seed) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (path === "/healthz") {
    const ready = Date.now() - startedAt >= readyDelayMs;
    send(res, ready ? 200 : 503, { status: ready ? "ok" : "starting", service, version, replica });
    return;
  }
  if (path !== "/") {
    send(res, 404, { error: "not found", path });
    return;
  }
  // Always two draws per request, in this order, so the error sequence does not depend on the jitter.
  const failed = random() < errorRate;
  const delay = Math.max(0, latencyMs + (random() * 2 - 1) * jitterMs);
  setTimeout(() => {
    if (failed) send(res, 500, { error: "injected failure (ERROR_RATE)", service, version, replica });
    else send(res, 200, { service, version, replica });
  }, delay);
});

server.listen(port, host, () => {
  const address = server.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  console.log(
    `demo-service ${service} ${version} replica ${replica} listening on http://${host}:${bound}` +
      ` (ERROR_RATE=${errorRate} LATENCY_MS=${latencyMs} LATENCY_JITTER_MS=${jitterMs}${env.SEED ? ` SEED=${env.SEED}` : ""})`,
  );
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    console.log(`demo-service: ${signal}, shutting down`);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
