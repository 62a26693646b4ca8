import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@ramp/engine/import": src("./packages/engine/src/import/index.ts"),
      "@ramp/engine": src("./packages/engine/src/index.ts"),
      "@ramp/proxy": src("./packages/proxy/src/index.ts"),
    },
  },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "conformance/src/**/*.test.ts",
      "bench/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 30_000,
    // One throwaway PostgreSQL cluster per run, started on first use (packages/server/test/postgres.ts).
    globalSetup: ["packages/server/test/global-setup.ts"],
  },
});
