/**
 * "Did you mean" for `/tasks run <task>`: the closest known names to what someone typed, by
 * case-insensitive Damerau–Levenshtein distance (an adjacent swap counts as one edit), with a prefix
 * or substring match counting as close. Pure and deterministic; ties are ordered by name.
 */

/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      const row = d[i]!;
      const previous = d[i - 1]!;
      let best = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      row[j] = best;
    }
  }
  return d[s.length]![t.length]!;
}

/**
 * Up to `limit` candidates close to `query`: a distance of at most max(2, a third of the query's
 * length), or containing the query (or contained in it) when the query has 3+ characters.
 * Closest first.
 */
export function closestMatches(query: string, candidates: readonly string[], limit = 3): string[] {
  const wanted = query.trim().toLowerCase();
  if (wanted === '') return [];
  const threshold = Math.max(2, Math.floor(wanted.length / 3));
  const scored: Array<{ name: string; score: number }> = [];
  for (const name of new Set(candidates)) {
    const lowered = name.toLowerCase();
    // The distance is at least the difference in length: past the threshold it cannot qualify, so the
    // quadratic table is never built for a huge query (a 100 kB reference stays linear).
    const distance =
      Math.abs(wanted.length - lowered.length) > threshold ? threshold + 1 : editDistance(wanted, lowered);
    const contains = wanted.length >= 3 && (lowered.includes(wanted) || wanted.includes(lowered));
    if (distance <= threshold || contains) {
      scored.push({ name, score: contains ? Math.min(distance, threshold) - 0.5 : distance });
    }
  }
  return scored
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((entry) => entry.name);
}
