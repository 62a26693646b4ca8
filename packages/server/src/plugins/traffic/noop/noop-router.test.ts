import { routerSuite } from "../router.shared-test.js";
import { NoopRouter } from "./noop-router.js";

routerSuite("noop", {
  async start() {
    const router = new NoopRouter();
    return { router, url: () => undefined, stop: () => router.close() };
  },
  skip: { dataPlane: "the no-op router only remembers what it was told: there is no traffic to measure" },
});
