/**
 * Reads an Unleash client API payload — a full `GET /api/client/features` response or a delta
 * (`{ events: [...] }`) — into plain typed data, reporting whatever is malformed as an Issue.
 */
import type { Issue } from "../types.js";
import { isPlainObject } from "../validate/structure.js";

export interface UnleashConstraint {
  readonly contextName: string;
  readonly operator: string;
  readonly values: readonly string[];
  readonly value: string | undefined;
  readonly inverted: boolean;
  readonly caseInsensitive: boolean;
}

export interface UnleashPayload {
  readonly type: string;
  readonly value: string;
}

export interface UnleashOverride {
  readonly contextName: string;
  readonly values: readonly string[];
}

export interface UnleashVariant {
  readonly name: string;
  readonly weight: number;
  readonly stickiness: string | undefined;
  readonly payload: UnleashPayload | undefined;
  readonly overrides: readonly UnleashOverride[];
}

export interface UnleashStrategy {
  readonly name: string;
  /** The name a user gave the strategy in Unleash's UI, if any. */
  readonly title: string | undefined;
  /** Parameter values as strings, as the SDKs read them (`Number(...)`, `.split(...)`). */
  readonly parameters: Readonly<Record<string, string>>;
  readonly constraints: readonly UnleashConstraint[];
  readonly segments: readonly number[];
  readonly variants: readonly UnleashVariant[];
}

export interface UnleashDependency {
  readonly feature: string;
  readonly enabled: boolean;
  readonly variants: readonly string[];
}

export interface UnleashFeature {
  readonly name: string;
  readonly description: string | undefined;
  readonly enabled: boolean;
  /** undefined when the payload's `strategies` is not an array: the SDKs then report the feature off. */
  readonly strategies: readonly UnleashStrategy[] | undefined;
  readonly variants: readonly UnleashVariant[];
  readonly dependencies: readonly UnleashDependency[];
  /** Where the feature sits in the payload, for issue paths. */
  readonly path: string;
}

export interface UnleashSegment {
  readonly id: number;
  readonly name: string | undefined;
  readonly constraints: readonly UnleashConstraint[];
  readonly path: string;
}

export interface UnleashState {
  /** By name, in payload order; a later feature of the same name replaces an earlier one (as the SDKs do). */
  readonly features: ReadonlyMap<string, UnleashFeature>;
  readonly segments: ReadonlyMap<number, UnleashSegment>;
}

type Obj = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | undefined =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;

/** Reads the payload; every feature or segment that cannot be read is left out with an error Issue. */
export function readUnleashState(payload: unknown, issues: Issue[]): UnleashState {
  const features = new Map<string, UnleashFeature>();
  const segments = new Map<number, UnleashSegment>();
  const error = (path: string, message: string, expected?: string) =>
    issues.push({ path, message, severity: "error", ...(expected !== undefined && { expected }) });

  const putFeature = (raw: unknown, path: string) => {
    const f = readFeature(raw, path, error);
    if (f === undefined) return;
    if (features.has(f.name))
      issues.push({
        path,
        message: `feature '${f.name}' appears twice: the later one wins, as in Unleash's SDKs`,
        severity: "warning",
      });
    features.delete(f.name);
    features.set(f.name, f);
  };
  const putSegment = (raw: unknown, path: string) => {
    const s = readSegment(raw, path, error);
    if (s !== undefined) segments.set(s.id, s);
  };
  const putAll = (obj: Obj, path: string) => {
    for (const [i, f] of arrayAt(obj, "features", path, error).entries())
      putFeature(f, `${path}features[${i}]`);
    if (obj.segments !== undefined)
      for (const [i, s] of arrayAt(obj, "segments", path, error).entries())
        putSegment(s, `${path}segments[${i}]`);
  };

  if (!isPlainObject(payload)) {
    error("", "an Unleash payload is an object", "{ version, features: [...] } or { events: [...] }");
  } else if (Array.isArray(payload.events)) {
    // A delta: events applied in order, as the SDKs apply them.
    for (const [i, ev] of payload.events.entries()) {
      const path = `events[${i}]`;
      if (!isPlainObject(ev)) {
        error(path, "an event is an object");
        continue;
      }
      switch (ev.type) {
        case "hydration":
          features.clear();
          segments.clear();
          putAll(ev, `${path}.`);
          break;
        case "feature-updated":
          putFeature(ev.feature, `${path}.feature`);
          break;
        case "feature-removed":
          if (typeof ev.featureName === "string") features.delete(ev.featureName);
          else error(`${path}.featureName`, "expected the removed feature's name");
          break;
        case "segment-updated":
          putSegment(ev.segment, `${path}.segment`);
          break;
        case "segment-removed":
          if (typeof ev.segmentId === "number") segments.delete(ev.segmentId);
          else error(`${path}.segmentId`, "expected the removed segment's id");
          break;
        default:
          issues.push({
            path: `${path}.type`,
            message: `unknown event type ${JSON.stringify(ev.type)}: ignored`,
            severity: "warning",
          });
      }
    }
  } else if (Array.isArray(payload.features)) {
    putAll(payload, "");
  } else {
    error(
      "",
      "neither a full response (`features`) nor a delta (`events`)",
      "{ version, features: [...] } or { events: [...] }",
    );
  }
  return { features, segments };
}

type ErrorFn = (path: string, message: string, expected?: string) => void;

function arrayAt(obj: Obj, key: string, path: string, error: ErrorFn): readonly unknown[] {
  const v = obj[key];
  if (Array.isArray(v)) return v;
  if (v !== undefined && v !== null) error(`${path}${key}`, "expected an array");
  return [];
}

function readFeature(raw: unknown, path: string, error: ErrorFn): UnleashFeature | undefined {
  if (!isPlainObject(raw) || typeof raw.name !== "string" || raw.name === "") {
    error(path, "a feature is an object with a non-empty `name`");
    return undefined;
  }
  const strategies = Array.isArray(raw.strategies)
    ? raw.strategies.flatMap((s, i) => readStrategy(s, `${path}.strategies[${i}]`, error) ?? [])
    : undefined;
  return {
    name: raw.name,
    description: typeof raw.description === "string" ? raw.description : undefined,
    enabled: raw.enabled === true,
    strategies,
    variants: readVariants(raw.variants, `${path}.variants`, error),
    dependencies: Array.isArray(raw.dependencies)
      ? raw.dependencies.flatMap((d, i) => readDependency(d, `${path}.dependencies[${i}]`, error) ?? [])
      : [],
    path,
  };
}

function readStrategy(raw: unknown, path: string, error: ErrorFn): UnleashStrategy | undefined {
  if (!isPlainObject(raw) || typeof raw.name !== "string") {
    error(path, "a strategy is an object with a `name`");
    return undefined;
  }
  const parameters: Record<string, string> = {};
  if (isPlainObject(raw.parameters))
    for (const [k, v] of Object.entries(raw.parameters)) {
      const s = str(v);
      if (s !== undefined) parameters[k] = s;
    }
  return {
    name: raw.name,
    title: typeof raw.title === "string" && raw.title !== "" ? raw.title : undefined,
    parameters,
    constraints: readConstraints(raw.constraints, `${path}.constraints`, error),
    segments: Array.isArray(raw.segments)
      ? raw.segments.map((s) => (typeof s === "number" ? s : Number.NaN))
      : [],
    variants: readVariants(raw.variants, `${path}.variants`, error),
  };
}

export function readConstraints(raw: unknown, path: string, error: ErrorFn): UnleashConstraint[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((c, i) => {
    if (!isPlainObject(c) || typeof c.contextName !== "string" || typeof c.operator !== "string") {
      error(`${path}[${i}]`, "a constraint is an object with `contextName` and `operator`");
      return [];
    }
    return [
      {
        contextName: c.contextName,
        operator: c.operator,
        values: Array.isArray(c.values) ? c.values.flatMap((v) => str(v) ?? []) : [],
        value: str(c.value),
        inverted: c.inverted === true,
        caseInsensitive: c.caseInsensitive === true,
      },
    ];
  });
}

function readVariants(raw: unknown, path: string, error: ErrorFn): UnleashVariant[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((v, i) => {
    const at = `${path}[${i}]`;
    if (
      !isPlainObject(v) ||
      typeof v.name !== "string" ||
      typeof v.weight !== "number" ||
      !Number.isInteger(v.weight) ||
      v.weight < 0
    ) {
      error(at, "a variant is an object with a `name` and a non-negative integer `weight`");
      return [];
    }
    const payload =
      isPlainObject(v.payload) && typeof v.payload.type === "string" && str(v.payload.value) !== undefined
        ? { type: v.payload.type, value: str(v.payload.value) ?? "" }
        : undefined;
    const overrides = Array.isArray(v.overrides)
      ? v.overrides.flatMap((o) =>
          isPlainObject(o) && typeof o.contextName === "string" && Array.isArray(o.values)
            ? [{ contextName: o.contextName, values: o.values.flatMap((x) => str(x) ?? []) }]
            : [],
        )
      : [];
    return [
      {
        name: v.name,
        weight: v.weight,
        stickiness: typeof v.stickiness === "string" ? v.stickiness : undefined,
        payload,
        overrides,
      },
    ];
  });
}

function readDependency(raw: unknown, path: string, error: ErrorFn): UnleashDependency | undefined {
  if (!isPlainObject(raw) || typeof raw.feature !== "string") {
    error(path, "a dependency is an object with a `feature`");
    return undefined;
  }
  return {
    feature: raw.feature,
    enabled: raw.enabled !== false,
    variants: Array.isArray(raw.variants)
      ? raw.variants.filter((v): v is string => typeof v === "string")
      : [],
  };
}

function readSegment(raw: unknown, path: string, error: ErrorFn): UnleashSegment | undefined {
  if (!isPlainObject(raw) || typeof raw.id !== "number") {
    error(path, "a segment is an object with a numeric `id`");
    return undefined;
  }
  return {
    id: raw.id,
    name: typeof raw.name === "string" ? raw.name : undefined,
    constraints: readConstraints(raw.constraints, `${path}.constraints`, error),
    path,
  };
}
