/** A strict line-by-line reader of the Prometheus text format 0.0.4, for checking what the proxy exposes. */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?\\})? (\\S+)$`);
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;

/** Parses `text`, throwing with the line number on the first line that breaks the format. */
export function parseExposition(text: string): Exposition {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a line feed");
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const seenFamilies: string[] = [];
  const lines = text.slice(0, -1).split("\n");
  lines.forEach((line, i) => {
    const where = `line ${i + 1} '${line}'`;
    const help = HELP.exec(line);
    if (help !== null) return;
    const type = TYPE.exec(line);
    if (type !== null) {
      const name = type[1] ?? "";
      if (types.has(name)) throw new Error(`${where}: a second TYPE for ${name}`);
      types.set(name, type[2] ?? "");
      seenFamilies.push(name);
      return;
    }
    const sample = SAMPLE.exec(line);
    if (sample === null) throw new Error(`${where}: not a HELP, TYPE or sample line`);
    const name = sample[1] ?? "";
    const family = familyOf(name, types);
    if (family === undefined) throw new Error(`${where}: sample before its TYPE line`);
    if (seenFamilies[seenFamilies.length - 1] !== family)
      throw new Error(`${where}: family ${family} is not contiguous`);
    const value = sample[3] ?? "";
    if (!VALUE.test(value)) throw new Error(`${where}: bad value ${value}`);
    samples.push({
      name,
      labels: parseLabels(sample[2] ?? ""),
      value: Number(value.replace("Inf", "Infinity")),
    });
  });
  return { types, samples };
}

function familyOf(name: string, types: ReadonlyMap<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
    if (base !== undefined && types.get(base) === "histogram") return base;
  }
  return undefined;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const m of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    const key = m[1] ?? "";
    if (key in labels) throw new Error(`duplicate label ${key}`);
    labels[key] = (m[2] ?? "").replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  return labels;
}

/** The value of the one sample named `name` whose labels include `labels`; 0 when there is none. */
export function sampleValue(exposition: Exposition, name: string, labels: Record<string, string>): number {
  const found = exposition.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}
