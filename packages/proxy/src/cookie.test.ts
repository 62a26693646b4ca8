import { describe, expect, it } from "vitest";
import { cookieValue } from "./cookie.js";

describe("cookieValue", () => {
  it.each([
    ["uid=ada", "uid", "ada"],
    ["theme=dark; uid=ada; x=1", "uid", "ada"],
    ["theme=dark;uid=ada", "uid", "ada"],
    ['uid="quoted value"', "uid", "quoted value"],
    ["uid=%40ada", "uid", "@ada"],
    ["uid=%E0%A4%A", "uid", "%E0%A4%A"],
    ["uid=first; uid=second", "uid", "first"],
    ["xuid=ada", "uid", undefined],
    ["uidx=ada", "uid", undefined],
    ["theme=dark", "uid", undefined],
    ["uid=", "uid", ""],
  ])("%s → %s: %s", (header, name, expected) => {
    expect(cookieValue(header, name)).toBe(expected);
  });

  it("returns undefined without a Cookie header", () => {
    expect(cookieValue(undefined, "uid")).toBeUndefined();
  });
});
