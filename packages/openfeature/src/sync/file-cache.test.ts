import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENVIRONMENT, testFlags } from "../../test/flags.js";
import { FileCache } from "./file-cache.js";

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "ramp-cache-"));
}

describe("FileCache", () => {
  it("round-trips a snapshot and leaves no temporary file behind", async () => {
    const dir = await tempDir();
    const cache = new FileCache(join(dir, "nested", "flags.json"), () => Date.UTC(2026, 0, 2));
    await cache.write({ environment: ENVIRONMENT, version: 4, file: testFlags() });
    const read = await cache.read();
    expect(read).toEqual({
      ok: true,
      snapshot: { environment: ENVIRONMENT, version: 4, file: testFlags() },
      savedAt: "2026-01-02T00:00:00.000Z",
    });
    expect(await readdir(join(dir, "nested"))).toEqual(["flags.json"]);
  });

  it("collapses writes queued behind one in progress into the newest", async () => {
    const dir = await tempDir();
    const cache = new FileCache(join(dir, "flags.json"));
    const writes = [1, 2, 3, 4].map((version) =>
      cache.write({ environment: ENVIRONMENT, version, file: testFlags() }),
    );
    await Promise.all(writes);
    const doc = JSON.parse(await readFile(join(dir, "flags.json"), "utf8"));
    expect(doc.version).toBe(4);
    await cache.settled();
  });

  it("reports a missing file apart from a damaged one", async () => {
    const dir = await tempDir();
    expect(await new FileCache(join(dir, "none.json")).read()).toMatchObject({ ok: false, missing: true });
    await writeFile(join(dir, "torn.json"), '{"environment":"production","ver');
    expect(await new FileCache(join(dir, "torn.json")).read()).toMatchObject({
      ok: false,
      missing: false,
      message: expect.stringContaining("is not JSON"),
    });
  });
});
