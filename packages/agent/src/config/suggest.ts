/** "Did you mean" suggestions by edit distance (Levenshtein, case-insensitive). */

/** Edit distance between `a` and `b` (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidate closest to `input`, if it is close enough (at most a third of the
 * input's length, at least 2 edits allowed), else undefined. A candidate whose last
 * dotted segment equals the input (`listen` → `api.listen`) always wins.
 */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  const bySegment = candidates.find((c) => c.toLowerCase().split(".").pop() === lower && c.includes("."));
  if (bySegment !== undefined) return bySegment;
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(input.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}
