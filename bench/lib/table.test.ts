import { describe, expect, it } from "vitest";
import { alignedTable, alignRow } from "./table.js";

describe("alignRow", () => {
  it("pads the first cell on the right and the others on the left, two spaces apart", () => {
    expect(alignRow(["ab", "1", "22"], [4, 3, 2])).toBe("ab      1  22");
    expect(alignRow(["toolong", "1"], [3, 1])).toBe("toolong  1");
  });
});

describe("alignedTable", () => {
  it("sizes each column to its widest cell and rules off the header", () => {
    expect(
      alignedTable(
        ["name", "ns"],
        [
          ["ramp", "12.5"],
          ["floor", "3.0"],
        ],
      ),
    ).toBe(["name     ns", "-----  ----", "ramp   12.5", "floor   3.0"].join("\n"));
  });
});
