/**
 * The importer folds constants and decides attribute tests with its own statement of flagd's
 * JsonLogic rules; here that statement meets flagd-core on every pair of value kinds.
 */
import { FlagdCore } from "@openfeature/flagd-core";
import { describe, expect, it } from "vitest";
import {
  type CompareOp,
  compareValues,
  flagdVersion,
  includesValue,
  type Json,
  truthy,
} from "./flagd-jsonlogic.js";

const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
type FlagdContext = NonNullable<Parameters<FlagdCore["resolveStringEvaluation"]>[2]>;

const constants: Json[] = [
  18,
  "18",
  "enterprise",
  "m",
  0,
  null,
  true,
  false,
  1.5,
  "",
  " 18 ",
  "0x10",
  "Infinity",
  -1,
];
const values: (Json | undefined)[] = [
  ...[undefined, null, true, false, 0, 1, 18, 17, 19, 1.5, -1],
  ...["", "0", "18", "abc", "m", "z", "18.0", " 18 ", "0x12", "Infinity", "1e1", "null", "true"],
  ...[[], {}, ["a"], [18], { a: 1 }],
];

type Condition = { logic: Json; model: (v: Json) => boolean | undefined; label: string };

/** Flags whose targeting is `{if: [condition, "yes", "no"]}`, and what the model predicts for each. */
function check(conditions: readonly Condition[]): string[] {
  const flags: Record<string, Json> = {};
  conditions.forEach((c, i) => {
    flags[`k${i}`] = {
      state: "ENABLED",
      variants: { yes: "yes", no: "no" },
      defaultVariant: "no",
      targeting: { if: [c.logic, "yes", "no"] },
    };
  });
  const core = new FlagdCore(undefined, silent);
  core.setConfigurations(JSON.stringify({ flags }));
  const wrong: string[] = [];
  conditions.forEach((c, i) => {
    for (const v of values) {
      const r = core.resolveStringEvaluation(`k${i}`, "?", (v === undefined ? {} : { a: v }) as FlagdContext);
      const actual = r.reason === "ERROR" ? "ERROR" : r.value === "yes";
      const m = c.model(v === undefined ? null : v);
      const predicted = m === undefined ? "ERROR" : m;
      if (actual !== predicted)
        wrong.push(`${c.label} with a = ${JSON.stringify(v)}: flagd ${actual}, model ${predicted}`);
    }
  });
  return wrong;
}

describe("the importer's statement of flagd's JsonLogic", () => {
  it("compares as flagd-core does, in both orders (a var on the right compares as plain JavaScript)", () => {
    const ops: CompareOp[] = ["==", "===", "!=", "!==", "<", "<=", ">", ">="];
    const conditions = ops.flatMap((op) =>
      constants.flatMap((c) => [
        {
          logic: { [op]: [{ var: "a" }, c] },
          model: (v: Json) => compareValues(op, v, c),
          label: `a ${op} ${JSON.stringify(c)}`,
        },
        {
          logic: { [op]: [c, { var: "a" }] },
          model: (v: Json) => compareValues(op, c, v, true),
          label: `${JSON.stringify(c)} ${op} a`,
        },
      ]),
    );
    expect(check(conditions)).toEqual([]);
  });

  it("tests membership, containment and truthiness as flagd-core does", () => {
    const conditions = constants.flatMap((c): Condition[] => [
      {
        logic: { in: [{ var: "a" }, [c, "x"]] },
        model: (v: Json) => includesValue(v, [c, "x"]),
        label: `a in [${JSON.stringify(c)}]`,
      },
      {
        logic: { in: [c, { var: "a" }] },
        model: (v: Json) => includesValue(c, v),
        label: `${JSON.stringify(c)} in a`,
      },
      ...(typeof c === "string"
        ? [
            {
              logic: { in: [{ var: "a" }, c] },
              model: (v: Json) => includesValue(v, c),
              label: `a in "${c}"`,
            },
          ]
        : []),
    ]);
    conditions.push({ logic: { var: "a" }, model: (v: Json) => truthy(v), label: "a" });
    conditions.push({ logic: { "!": { var: "a" } }, model: (v: Json) => !truthy(v), label: "!a" });
    expect(check(conditions)).toEqual([]);
  });

  it("reads versions as flagd-core's sem_ver does", () => {
    const texts = [
      "1.2.3",
      "v1.2.3",
      "V1.2.3",
      "1.2",
      "1",
      "01.2",
      "1.2.3-rc.1",
      "1.2.3-01",
      "1.2.3+b.1",
      "01.2.3",
      "1.2.3.4",
      "1.2-rc",
      "x",
      "",
      "vv1.2.3",
      " 1.2.3 ",
    ];
    const conditions = texts.map((t) => ({
      logic: { sem_ver: [t, "=", "1.2.3"] },
      model: () => {
        const a = flagdVersion(t);
        return (
          a !== undefined && a.major === 1 && a.minor === 2 && a.patch === 3 && a.prerelease.length === 0
        );
      },
      label: `sem_ver ${t}`,
    }));
    // Known and accepted: node-semver also takes a second "v" and surrounding spaces; Ramp does not.
    const differences = new Set(check(conditions).map((w) => w.slice(0, w.indexOf(" with "))));
    expect([...differences]).toEqual(["sem_ver vv1.2.3", "sem_ver  1.2.3 "]);
  });
});
