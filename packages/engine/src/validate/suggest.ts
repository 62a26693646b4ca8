/** "Did you mean …?" — the nearest known name by edit distance, if it is close enough to help. */

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + cost);
      // transposition counts as one edit (contians → contains)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        prev[j] = Math.min(prev[j] ?? 0, diag);
      }
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

/** The closest candidate within a distance proportional to the word's length, or undefined. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const cl = c.toLowerCase();
    // Ties go to a candidate the word is a prefix of ('of' → 'off' rather than 'on').
    const d = cl === lower ? 0 : editDistance(lower, cl) - (cl.startsWith(lower) ? 0.5 : 0);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
