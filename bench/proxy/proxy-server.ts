/**
 * The built-in proxy in its own process, as it runs beside a service: stable and canary (the two
 * backends) at weight 50, sticky on `x-user-id` with a header route, metrics on an admin port. The load
 * sends neither header, so each request is looked up for both and then split at random. Prints
 * `{"port":…,"adminPort":…}`.
 */
import { createProxy } from "@ramp/proxy";

const [stable, canary] = process.argv.slice(2);
if (stable === undefined || canary === undefined)
  throw new Error("usage: proxy-server.js <stable url> <canary url>");
const proxy = createProxy({
  config: {
    service: "bench",
    stable: { version: "v1", targets: [stable] },
    canary: { version: "v2", targets: [canary] },
    weight: 50,
    sticky: { header: "x-user-id" },
    headerRoutes: [{ name: "testers", match: [{ header: "x-canary", exact: "always" }] }],
  },
});
const address = await proxy.listen({ port: 0, host: "127.0.0.1", admin: {} });
console.log(JSON.stringify({ port: address.port, adminPort: address.admin?.port }));
process.on("SIGTERM", () => void proxy.close({ graceMs: 1000 }).then(() => process.exit(0)));
