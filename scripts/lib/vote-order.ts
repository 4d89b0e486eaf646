/**
 * The order in which votes are taken (docs/rules.md §1): by cast_at, ties by row order. Sorting a
 * million row indices with a comparator was a second or more; instead the distinct timestamps are
 * sorted natively, each row gets the rank of its timestamp (binary search), and a counting sort by
 * rank — stable, so ties stay in row order — gives the order.
 */
export function castOrder(castAt: Float64Array): Uint32Array {
  const n = castAt.length;
  const order = new Uint32Array(n);
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = castAt[i - 1]! <= castAt[i]!;
  if (sorted) {
    // An export in time order is common: the identity is the answer.
    for (let i = 0; i < n; i++) order[i] = i;
    return order;
  }

  const values = Float64Array.from(castAt).sort();
  let d = 0;
  for (let i = 0; i < n; i++) if (d === 0 || values[i] !== values[d - 1]) values[d++] = values[i]!;
  const distinct = values.subarray(0, d);

  const rank = new Uint32Array(n);
  const starts = new Uint32Array(d + 1);
  for (let i = 0; i < n; i++) {
    const t = castAt[i]!;
    let lo = 0;
    let hi = d - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (distinct[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    rank[i] = lo;
    starts[lo + 1]!++;
  }
  for (let r = 1; r <= d; r++) starts[r]! += starts[r - 1]!;
  for (let i = 0; i < n; i++) order[starts[rank[i]!]!++] = i;
  return order;
}
