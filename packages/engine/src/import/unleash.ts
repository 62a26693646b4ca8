/**
 * Imports Unleash feature toggles (the client API payload) as a Ramp flag file in which Ramp's own
 * rules, segments, gates, splits and prerequisites reproduce what Unleash's Node SDK answers.
 *
 * The mapping, so that `isEnabled` and `getVariant` can be read back from an evaluation result:
 * - Context: Unleash's `userId` is both `targetingKey` and `userId`; `sessionId`, `remoteAddress`,
 *   `environment`, `appName` and `currentTime` are attributes of those names; each `properties.X` is
 *   the attribute `X`. The `applicationHostname` strategy reads the attribute `hostname`.
 * - A feature without variants is a `boolean` flag: `on: true`, `off: false`; isEnabled = value.
 * - A feature with variants (its own or a strategy's) is an `object` flag whose value is exactly
 *   Unleash's getVariant() answer: `{ name, enabled, feature_enabled, payload? }`.
 *   `off` = `{ name: "disabled", enabled: false, feature_enabled: false }` (the feature is off),
 *   `on` = `{ name: "disabled", enabled: false, feature_enabled: true }` (on, but no variant applies),
 *   each Unleash variant = `{ name, enabled: true, feature_enabled: true, payload }`. isEnabled =
 *   value.feature_enabled.
 * - A toggle that is not in the payload is not in the file: evaluation answers FLAG_NOT_FOUND, and
 *   the caller's default (false, or the "disabled" variant) is Unleash's answer too.
 * - Feature variants keep their names as variant keys; a strategy's variants are named
 *   `strategyN.NAME`. Names Ramp does not allow are rewritten (and reported).
 * - Strategies become ordered rules (the first that matches wins, as Unleash ORs them); constraints
 *   become the rule's `if`; segments become Ramp segments; percentages become `rollout` gates; variant
 *   weights become `split`s under `hashing: unleash`; variant overrides become earlier rules;
 *   dependencies become `prerequisites`; a disabled feature is `on: false`.
 */

import { compileExpression } from "../expr/index.js";
import type {
  EnvironmentDefinition,
  FlagDefinition,
  FlagFile,
  PrerequisiteDefinition,
  SegmentDefinition,
} from "../schema/flag-file.js";
import type { Issue } from "../types.js";
import { source } from "./unleash-cel.js";
import { constraintsTest } from "./unleash-constraints.js";
import { type BuiltFlag, buildFlag, uniqueName, type Warn } from "./unleash-flag.js";
import { readUnleashState, type UnleashFeature, type UnleashState } from "./unleash-payload.js";

export interface UnleashImportOptions {
  /** The environment the file describes (default "default"). */
  readonly environment?: string;
}

export interface UnleashImport {
  readonly file: FlagFile;
  /** Problems found; `error` means some answers would differ from Unleash's. */
  readonly issues: Issue[];
  /** Unleash feature name → Ramp flag key (they differ only where Unleash's name is not a valid key). */
  readonly keys: ReadonlyMap<string, string>;
}

/**
 * Converts an Unleash client API payload (`GET /api/client/features`, or a delta of events).
 * @example
 * const { file, issues, keys } = importUnleash(await res.json(), { environment: "production" });
 */
export function importUnleash(payload: unknown, options: UnleashImportOptions = {}): UnleashImport {
  const issues: Issue[] = [];
  const warn: Warn = (path, message, severity = "warning") => issues.push({ path, message, severity });
  const state = readUnleashState(payload, issues);
  const environment = options.environment ?? "default";

  const segmentKeys = new Map<number, string>();
  const segments: Record<string, SegmentDefinition> = {};
  const takenSegments = new Set<string>();
  for (const s of state.segments.values()) {
    const key = uniqueName(s.name ?? `segment-${s.id}`, takenSegments, `segment-${s.id}`);
    segmentKeys.set(s.id, key);
    let cond = source(constraintsTest(s.constraints, `${s.path}.constraints`, warn).holds);
    const compiled = compileExpression(cond, { selfNames: ["user", "context"] });
    if (!compiled.ok) {
      warn(
        s.path,
        `segment cannot be written in Ramp (${compiled.error.message}): it holds for no one here`,
        "error",
      );
      cond = "false";
    }
    // A Ramp segment without `if` holds for no one; an Unleash segment without constraints for everyone.
    segments[key] = { ...(s.name !== undefined && { description: s.name }), if: cond };
  }

  const keys = new Map<string, string>();
  const takenFlags = new Set<string>();
  for (const f of state.features.values()) {
    const key = uniqueName(f.name, takenFlags, "feature");
    keys.set(f.name, key);
    if (key !== f.name) warn(f.path, `'${f.name}' is not a valid Ramp flag key: imported as '${key}'`);
  }

  const built = new Map<string, BuiltFlag>();
  for (const f of state.features.values()) built.set(f.name, buildFlag(f, segmentKeys, warn));

  const flags: Record<string, FlagDefinition> = {};
  for (const f of state.features.values()) {
    const b = built.get(f.name);
    const key = keys.get(f.name);
    if (b === undefined || key === undefined) continue;
    const deps = resolveDependencies(f, state, built, keys, warn);
    const env: EnvironmentDefinition = { ...b.environment, on: b.environment.on && deps !== undefined };
    flags[key] = {
      ...(f.description !== undefined && f.description !== "" && { description: f.description }),
      type: b.type,
      variants: b.variants,
      offVariant: "off",
      ...(deps !== undefined && deps.length > 0 && { prerequisites: deps }),
      environments: { [environment]: env },
    };
  }

  const file: FlagFile = {
    version: 1,
    environments: [environment],
    ...(Object.keys(segments).length > 0 && { segments }),
    flags,
  };
  return { file, issues, keys };
}

/**
 * Prerequisites for a feature's dependencies, or undefined when they can never be satisfied (the
 * feature is then always off, which `on: false` says without referring to missing flags).
 */
function resolveDependencies(
  f: UnleashFeature,
  state: UnleashState,
  built: ReadonlyMap<string, BuiltFlag>,
  keys: ReadonlyMap<string, string>,
  warn: Warn,
): PrerequisiteDefinition[] | undefined {
  const prerequisites: PrerequisiteDefinition[] = [];
  for (const [i, d] of f.dependencies.entries()) {
    const path = `${f.path}.dependencies[${i}]`;
    const parent = state.features.get(d.feature);
    const parentFlag = built.get(d.feature);
    const flag = keys.get(d.feature);
    if (parent === undefined || parentFlag === undefined || flag === undefined) {
      warn(path, `depends on '${d.feature}', which is not in the payload: always off, as in Unleash`);
      return undefined;
    }
    if (parent.dependencies.length > 0) {
      warn(
        path,
        `depends on '${d.feature}', which has dependencies itself: Unleash allows one level, so always off`,
      );
      return undefined;
    }
    if (!d.enabled) {
      prerequisites.push({ flag, variant: "off" });
      continue;
    }
    const enabled = Object.keys(parentFlag.variants).filter((k) => k !== "off");
    const wanted =
      d.variants.length === 0
        ? enabled
        : enabled.filter((k) => d.variants.includes(parentFlag.unleashNames.get(k) ?? ""));
    if (wanted.length === 0) {
      warn(
        path,
        `'${d.feature}' never serves ${d.variants.join(", ")}: the dependency cannot be satisfied, so always off`,
      );
      return undefined;
    }
    prerequisites.push(
      wanted.length === 1 ? { flag, variant: wanted[0] ?? "on" } : { flag, variants: wanted },
    );
  }
  return prerequisites;
}
