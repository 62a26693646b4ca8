/** Test helper: a fresh, empty database on the run's shared PostgreSQL cluster (global-setup.ts). */
import { inject } from "vitest";
import "./provided-context.js";

export async function createTestDatabase(): Promise<string> {
  const control = inject("rampPostgresControl");
  if (control === undefined)
    throw new Error(
      "no test PostgreSQL: run vitest with the repo's vitest.config.ts (it registers test/global-setup.ts)",
    );
  const response = await fetch(`${control}/databases`, { method: "POST" });
  if (!response.ok) throw new Error(`test PostgreSQL did not start: ${await response.text()}`);
  const { url } = (await response.json()) as { url: string };
  return url;
}
