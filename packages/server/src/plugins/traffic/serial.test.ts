import { describe, expect, it } from "vitest";
import { Serial } from "./serial.js";

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("Serial", () => {
  it("runs work one at a time, in call order, even when an earlier piece is slower", async () => {
    const serial = new Serial();
    const log: string[] = [];
    const piece = (name: string, ms: number) => async () => {
      log.push(`${name} start`);
      await tick(ms);
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([serial.run(piece("a", 30)), serial.run(piece("b", 1))]);
    expect(results).toEqual(["a", "b"]);
    expect(log).toEqual(["a start", "a end", "b start", "b end"]);
  });

  it("gives a failure to its caller only: the next piece still runs", async () => {
    const serial = new Serial();
    const failed = serial.run(async () => {
      throw new Error("nginx -t failed");
    });
    const next = serial.run(async () => "applied");
    await expect(failed).rejects.toThrow("nginx -t failed");
    await expect(next).resolves.toBe("applied");
  });

  it("idle() waits for queued work and does not reject after a failure", async () => {
    const serial = new Serial();
    let done = false;
    void serial.run(async () => {
      await tick(20);
      done = true;
    });
    serial
      .run(async () => {
        throw new Error("boom");
      })
      .catch(() => undefined);
    await expect(serial.idle()).resolves.toBeUndefined();
    expect(done).toBe(true);
  });
});
