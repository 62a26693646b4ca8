/** Small readers for Kubernetes-shaped input documents, shared by the Argo and Flagger importers. */
import { isPlainObject } from "@ramp/engine";

export { isPlainObject };

export type Obj = Record<string, unknown>;

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const obj = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The input documents with `kind: List` (kubectl get -o yaml) spread into their items; nulls dropped. */
export function spreadLists(documents: readonly unknown[]): unknown[] {
  return documents.flatMap((d) => {
    if (d === null || d === undefined) return [];
    const o = obj(d);
    if (o !== undefined && o.kind === "List" && Array.isArray(o.items)) return o.items;
    return [d];
  });
}

/** "Rollout payment", "Service <unnamed>": how reports name an input object. */
export function describeObject(d: unknown): string {
  const o = obj(d);
  const kind = str(o?.kind) ?? "document";
  const name = str(obj(o?.metadata)?.name);
  return `${kind} ${name ?? "<unnamed>"}`;
}

/** The metadata Ramp keeps (name, namespace, string labels and annotations); Kubernetes bookkeeping goes. */
export function keptMetadata(metadata: unknown, name: string): Obj {
  const m = obj(metadata) ?? {};
  const strings = (v: unknown): Record<string, string> | undefined => {
    const o = obj(v);
    if (o === undefined) return undefined;
    const entries = Object.entries(o).filter((e): e is [string, string] => typeof e[1] === "string");
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  };
  const namespace = str(m.namespace);
  const labels = strings(m.labels);
  const annotations = strings(m.annotations);
  return {
    name,
    ...(namespace !== undefined && { namespace }),
    ...(labels !== undefined && { labels }),
    ...(annotations !== undefined && { annotations }),
  };
}

/** The Deployment of `name` among the documents (a Rollout's workloadRef, a Canary's targetRef). */
export function findDeployment(
  documents: readonly unknown[],
  name: string,
): { index: number; spec: Obj } | undefined {
  for (const [index, d] of documents.entries()) {
    const o = obj(d);
    if (o?.kind !== "Deployment" || str(obj(o.metadata)?.name) !== name) continue;
    const spec = obj(o.spec);
    if (spec !== undefined) return { index, spec };
  }
  return undefined;
}
