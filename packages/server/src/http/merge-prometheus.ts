/**
 * Merges Prometheus text expositions (the server's own and each running proxy's) into one valid
 * document: every metric family appears once, with one HELP and TYPE line, and all its samples.
 */
export function mergePrometheus(texts: readonly string[]): string {
  const families = new Map<string, { head: string[]; samples: string[] }>();
  const order: string[] = [];
  for (const text of texts) {
    let current: { head: string[]; samples: string[] } | undefined;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (meta !== null) {
        const name = meta[2] ?? "";
        let f = families.get(name);
        if (f === undefined) {
          f = { head: [], samples: [] };
          families.set(name, f);
          order.push(name);
        }
        if (!f.head.some((h) => h.startsWith(`# ${meta[1]} `))) f.head.push(line);
        current = f;
      } else if (current !== undefined) current.samples.push(line);
    }
  }
  return `${order
    .flatMap((n) => {
      const f = families.get(n);
      return f === undefined ? [] : [...f.head, ...f.samples];
    })
    .join("\n")}\n`;
}
