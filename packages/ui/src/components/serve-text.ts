/** One line saying what an environment serves by default: a variant or a split. */
import type { FlagEnvironment } from "../api/types.js";

export function serveText(env: FlagEnvironment | undefined): string {
  if (env === undefined) return "—";
  const d = env.default;
  if (d === undefined) return "off variant";
  if (typeof d === "string") return d;
  if ("variant" in d) return d.variant;
  return Object.entries(d.split)
    .map(([v, n]) => `${v} ${n}%`)
    .join(" / ");
}
