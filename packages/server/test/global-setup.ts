/**
 * Vitest globalSetup: one PostgreSQL cluster per test run, started lazily. Workers ask for a fresh
 * database over a small HTTP endpoint (see postgres.ts); the first request starts the cluster, so runs
 * without PostgreSQL tests never pay for it. Teardown stops it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { type PostgresCluster, startPostgres } from "../src/testing/index.js";
import "./provided-context.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let cluster: Promise<PostgresCluster> | undefined;
  const start = async () => {
    const began = performance.now();
    const started = await startPostgres();
    console.info(`test PostgreSQL started in ${Math.round(performance.now() - began)} ms`);
    return started;
  };
  const server = createServer((request, response) => {
    if (request.method !== "POST" || request.url !== "/databases") {
      response.writeHead(404).end();
      return;
    }
    cluster ??= start();
    cluster
      .then((c) => c.createDatabase())
      .then(
        (url) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ url })),
        (error: unknown) =>
          response
            .writeHead(500)
            .end(error instanceof Error ? (error.stack ?? error.message) : String(error)),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("rampPostgresControl", `http://127.0.0.1:${port}`);

  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await cluster?.then(
      (c) => c.stop(),
      () => undefined,
    );
  };
}
