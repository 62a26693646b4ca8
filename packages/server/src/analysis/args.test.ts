import { describe, expect, it } from "vitest";
import { flattenArgs, mergeArgs, placeholdersIn, substituteArgs } from "./args.js";

describe("template arguments (Argo MergeArgs / flattenArgs / ResolveArgs)", () => {
  it("finds placeholders, trimming spaces as fasttemplate does", () => {
    expect(placeholdersIn("a{{args.x}}b{{ args.y }}c{{other}}")).toEqual(["args.x", "args.y", "other"]);
  });

  it("the rollout's value replaces a template default; undeclared values are ignored; no value is missing", () => {
    expect(
      mergeArgs(
        [{ name: "a", value: "1" }, { name: "b" }, { name: "c" }],
        [
          { name: "b", value: "2" },
          { name: "z", value: "9" },
        ],
      ),
    ).toEqual({
      args: [{ name: "a", value: "1" }, { name: "b", value: "2" }, { name: "c" }],
      missing: ["c"],
    });
  });

  it("flattening: a value wins over no value; two different values are an error", () => {
    expect(flattenArgs([[{ name: "a" }], [{ name: "a", value: "1" }]])).toEqual({
      ok: true,
      args: [{ name: "a", value: "1" }],
    });
    expect(flattenArgs([[{ name: "a", value: "1" }], [{ name: "a", value: "2" }]]).ok).toBe(false);
  });

  it("substitutes in every string, not in keys, and reports what it cannot resolve with its path", () => {
    const r = substituteArgs(
      { query: 'x{service="{{args.s}}"}', list: ["{{args.s}}", 3], "{{args.s}}": "{{args.nope}}" },
      new Map([["s", 'pay"ment']]),
      "m",
    );
    expect(r.value).toEqual({
      query: 'x{service="pay"ment"}',
      list: ['pay"ment', 3],
      "{{args.s}}": "{{args.nope}}",
    });
    expect(r.unresolved).toEqual([{ path: 'm."{{args.s}}"', tag: "args.nope" }]);
  });
});
