/**
 * A Prometheus HTTP API answer (`/api/v1/query`, `/api/v1/query_range`) as a measured value, the
 * way Argo's provider maps it: a scalar is a number; a vector is the list of its samples' values
 * (`result[0]`); a matrix is the list of every value of every series, in order.
 */

import { isPlainObject } from "../../../analysis/issues.js";
import { excerpt } from "../http/request.js";

export type QueryValue = { readonly value: number | number[] } | { readonly problem: string };

/** Reads a successful (2xx) answer's body. */
export function readQueryAnswer(body: string): QueryValue {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { problem: `the answer is not JSON: ${excerpt(body, 200)}` };
  }
  if (!isPlainObject(doc)) return { problem: "the answer is not a JSON object" };
  if (doc.status !== "success") return { problem: errorOf(doc) ?? `status ${JSON.stringify(doc.status)}` };
  const data = doc.data;
  if (!isPlainObject(data)) return { problem: "the answer has no data" };
  const { resultType, result } = data;
  switch (resultType) {
    case "scalar": {
      const v = sampleValue(result);
      return v === undefined ? { problem: "malformed scalar" } : { value: v };
    }
    case "vector": {
      if (!Array.isArray(result)) return { problem: "malformed vector" };
      const values: number[] = [];
      for (const sample of result) {
        const v = isPlainObject(sample) ? sampleValue(sample.value) : undefined;
        if (v === undefined) return { problem: "malformed vector sample" };
        values.push(v);
      }
      return { value: values };
    }
    case "matrix": {
      if (!Array.isArray(result)) return { problem: "malformed matrix" };
      const values: number[] = [];
      for (const series of result) {
        const points = isPlainObject(series) ? series.values : undefined;
        if (!Array.isArray(points)) return { problem: "malformed matrix series" };
        for (const point of points) {
          const v = sampleValue(point);
          if (v === undefined) return { problem: "malformed matrix point" };
          values.push(v);
        }
      }
      return { value: values };
    }
    default:
      return {
        problem: `result type ${JSON.stringify(resultType)} is not supported (scalar, vector or matrix are)`,
      };
  }
}

/** Prometheus' error document (`{"status":"error","errorType":"bad_data","error":"…"}`) in words. */
export function errorOf(doc: unknown): string | undefined {
  if (!isPlainObject(doc) || typeof doc.error !== "string") return undefined;
  return typeof doc.errorType === "string" && doc.errorType !== ""
    ? `${doc.errorType}: ${doc.error}`
    : doc.error;
}

/** `[timestamp, "value"]` → the value; Prometheus writes NaN and ±Inf as "NaN", "+Inf", "-Inf". */
function sampleValue(pair: unknown): number | undefined {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== "string") return undefined;
  const text = pair[1];
  if (text === "NaN") return Number.NaN;
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  const n = Number(text);
  return text.trim() === "" || Number.isNaN(n) ? undefined : n;
}
