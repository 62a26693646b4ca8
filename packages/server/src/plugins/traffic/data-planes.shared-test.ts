/**
 * Test kit for the traffic routers: tiny upstreams that count what they receive and say who they are,
 * a load client, and real nginx and HAProxy processes in temp dirs on free loopback ports.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, createServer, request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../testing/index.js";
import { listenLocal } from "../metrics/http/local-server.shared-test.js";
import { ACCESS_LOG_FORMAT } from "./nginx/render.js";

export const NGINX = "/usr/sbin/nginx";
export const HAPROXY = "/usr/sbin/haproxy";

export interface Upstream {
  readonly name: string;
  readonly url: string;
  /** Requests to anything but /healthz so far. */
  received(): number;
  close(): Promise<void>;
}

/**
 * An HTTP server answering `{"version": name}` (and /healthz), counting what it serves; with
 * `failEvery` n, every n-th request gets a 500 (deterministic, unlike a random error rate).
 */
export async function startUpstream(name: string, failEvery = 0): Promise<Upstream> {
  let received = 0;
  const server = createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200).end("ok");
      return;
    }
    received++;
    const status = failEvery > 0 && received % failEvery === 0 ? 500 : 200;
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ version: name }));
  });
  server.keepAliveTimeout = 30_000;
  return { name, received: () => received, ...(await listenLocal(server)) };
}

export interface Sent {
  /** Answers per version, as the bodies name them; "error <status or code>" for anything else. */
  readonly answers: Map<string, number>;
  /** The `x-ramp-generation` headers seen (nginx). */
  readonly generations: Set<string>;
}

/** Sends `count` GETs to `url`, `concurrency` at a time over keep-alive connections. */
export async function sendRequests(
  url: string,
  count: number,
  headers: (n: number) => Record<string, string> = () => ({}),
  concurrency = 8,
): Promise<Sent> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const answers = new Map<string, number>();
  const generations = new Set<string>();
  let next = 0;
  const one = (n: number) =>
    new Promise<void>((resolve) => {
      const req = request(`${url}/`, { agent, headers: headers(n), timeout: 10_000 }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          body += c;
        });
        res.on("end", () => {
          let version = `error ${res.statusCode}`;
          try {
            const v = (JSON.parse(body) as { version?: unknown }).version;
            if (res.statusCode === 200 && typeof v === "string") version = v;
          } catch {}
          answers.set(version, (answers.get(version) ?? 0) + 1);
          const g = res.headers["x-ramp-generation"];
          if (typeof g === "string") generations.add(g);
          resolve();
        });
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (e: NodeJS.ErrnoException) => {
        const key = `error ${e.code ?? e.message}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
        resolve();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await one(next++);
    }),
  );
  agent.destroy();
  return { answers, generations };
}

/** The failed answers by kind ("error 502", "error ECONNRESET" …): {} when every request succeeded. */
export function failures(answers: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...answers].filter(([k]) => k.startsWith("error")));
}

/**
 * Whether `hits` of `n` is within 4 standard deviations of the share `p` (binomial): a correct
 * router fails this about once in 16 000 runs; a 5-point error at n = 1000 fails it always.
 */
export function withinBinomial(hits: number, n: number, p: number): boolean {
  const sd = Math.sqrt(n * p * (1 - p));
  return Math.abs(hits - n * p) <= 4 * sd + 0.5;
}

async function waitForPort(port: number, what: () => string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: "127.0.0.1", port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`not listening on ${port} after ${timeoutMs} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}

export interface NginxProcess {
  readonly dir: string;
  /** Where clients send requests. */
  readonly url: string;
  /** The file Ramp owns (included by nginx.conf). */
  readonly configFile: string;
  readonly reload: readonly string[];
  readonly test: readonly string[];
  /** The upstream name nginx.conf proxies to. */
  readonly upstream: string;
  /** The access log the location writes in Ramp's format. */
  readonly accessLog: string;
  /** nginx's error log so far. */
  log(): string;
  /** The master's worker processes now (old ones linger while they finish their requests). */
  workers(): number;
  stop(): Promise<void>;
}

/**
 * Real nginx in the foreground (a child of the test), in a temp prefix: nginx.conf includes
 * `ramp/<upstream>.conf` and proxies to `$ramp_<upstream>_upstream`, echoing the routing's generation.
 */
export async function startNginx(upstream = "web"): Promise<NginxProcess> {
  const dir = mkdtempSync(join(tmpdir(), "ramp-nginx-"));
  mkdirSync(join(dir, "ramp"));
  const port = await freePort();
  const conf = join(dir, "nginx.conf");
  const configFile = join(dir, "ramp", `${upstream}.conf`);
  const accessLog = join(dir, "access.log");
  const id = upstream.replace(/[^A-Za-z0-9_]/g, "_");
  // Before Ramp's first apply: an upstream nobody answers on, so nginx starts.
  writeFileSync(
    configFile,
    `upstream ${upstream} { server 127.0.0.1:9 down; }\nmap $host $ramp_${id}_upstream { default ${upstream}; }\nmap $host $ramp_${id}_generation { default "none"; }\nlog_format ramp_${id} '${ACCESS_LOG_FORMAT}';\n`,
  );
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((t) => `    ${t}_temp_path ${join(dir, `${t}_temp`)};`)
    .join("\n");
  writeFileSync(
    conf,
    `worker_processes 1;
error_log ${join(dir, "error.log")} notice;
pid ${join(dir, "nginx.pid")};
events { worker_connections 512; }
http {
    access_log off;
${temp}
    include ${configFile};
    server {
        listen 127.0.0.1:${port};
        location / {
            proxy_pass http://$ramp_${id}_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            add_header x-ramp-generation $ramp_${id}_generation always;
            access_log ${accessLog} ramp_${id};
        }
    }
}
`,
  );
  const base = [NGINX, "-p", `${dir}/`, "-c", conf];
  const child = spawn(NGINX, [...base.slice(1), "-g", "daemon off;"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const log = () => {
    try {
      return `${stderr}${readFileSync(join(dir, "error.log"), "utf8")}`;
    } catch {
      return stderr;
    }
  };
  await waitForPort(port, log);
  return {
    dir,
    url: `http://127.0.0.1:${port}`,
    configFile,
    reload: [...base, "-s", "reload"],
    test: [...base, "-t", "-q"],
    upstream,
    accessLog,
    log,
    workers: () => {
      try {
        const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8");
        return children
          .trim()
          .split(/\s+/)
          .filter((p) => p !== "").length;
      } catch {
        return 0;
      }
    },
    stop: async () => {
      await stopChild(child, "SIGQUIT");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until nginx runs `generation` alone: a fresh connection is answered by it and the previous
 * workers (which finish their requests, and may still accept a connection or two) have exited.
 */
export async function nginxServes(
  n: NginxProcess,
  generation: string | undefined,
  timeoutMs = 15_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const workers = n.workers();
    if (workers === 1) {
      const sent = await sendRequests(n.url, 1, () => ({ connection: "close" }), 1);
      // Still one worker after the new routing answered: that worker is the new one (a reload the
      // master had not begun before the probe would show two workers now).
      const served =
        generation !== undefined && sent.generations.size === 1 && sent.generations.has(generation);
      if (served && n.workers() === 1) return;
    }
    if (Date.now() > end)
      throw new Error(
        `nginx did not serve generation ${generation} alone within ${timeoutMs} ms (${workers} workers)`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The generation written in nginx's Ramp file (what nginx serves once reloaded). */
export function generationIn(configFile: string): string | undefined {
  return /_generation \{\n\s*default "([0-9a-f]+)";/.exec(readFileSync(configFile, "utf8"))?.[1];
}

export interface HaproxyProcess {
  readonly dir: string;
  readonly url: string;
  /** "unix:<dir>/admin.sock" */
  readonly runtimeApi: string;
  readonly backend: string;
  readonly headerMap: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Real HAProxy in the foreground (-db): backend `web` with slots stable, stable-2, canary, canary-2
 * (all in maintenance until Ramp sets them), header routes from a map read by `use-server`.
 */
export async function startHaproxy(backend = "web"): Promise<HaproxyProcess> {
  const dir = mkdtempSync(join(tmpdir(), "ramp-haproxy-"));
  const port = await freePort();
  const sock = join(dir, "admin.sock");
  const headerMap = join(dir, `${backend}-routes.map`);
  writeFileSync(headerMap, "");
  const cfg = join(dir, "haproxy.cfg");
  writeFileSync(
    cfg,
    `global
    stats socket ${sock} mode 600 level admin
    maxconn 1024
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:${port}
    default_backend ${backend}
backend ${backend}
    balance roundrobin
    use-server canary if { req.hdrs,map_reg(${headerMap}) -m found }
    server stable 127.0.0.1:9 weight 1 disabled
    server stable-2 127.0.0.1:9 weight 1 disabled
    server canary 127.0.0.1:9 weight 1 disabled
    server canary-2 127.0.0.1:9 weight 1 disabled
`,
  );
  const child = spawn(HAPROXY, ["-f", cfg, "-db"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const collect = (c: Buffer) => {
    out += c.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  await waitForPort(port, () => out);
  return {
    dir,
    url: `http://127.0.0.1:${port}`,
    runtimeApi: `unix:${sock}`,
    backend,
    headerMap,
    log: () => out,
    stop: async () => {
      await stopChild(child, "SIGUSR1");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
