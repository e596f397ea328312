/**
 * Splitting a quota (e.g. a county's enrolment target) among holders (districts, villages)
 * in proportion to a weight such as rural population. Targets are whole people and must add
 * up to the total exactly, or the province's sum of quotas drifts from what the committee set.
 */

export const ALLOCATION_REASONS = ['allocation.total', 'allocation.weight', 'allocation.duplicateKey', 'allocation.noParts'] as const;
export type AllocationReason = (typeof ALLOCATION_REASONS)[number];

/** Thrown for inputs no allocation can honour; `reason` is the i18n key, `params` what the message needs. */
export class AllocationError extends Error {
  constructor(
    readonly reason: AllocationReason,
    readonly params: Record<string, string | number> = {},
  ) {
    super(reason);
    this.name = 'AllocationError';
  }
}

export interface AllocationPart {
  key: string;
  /** Missing, null or 0 means "gets nothing" (unless every weight is 0). Negative weights are refused. */
  weight?: number | null;
}

export interface Allocation {
  key: string;
  target: number;
}

/**
 * Largest-remainder (Hamilton) apportionment: every part gets the floor of its exact share, and the
 * seats left over go one each to the largest fractional remainders. Ties (equal remainders) go to the
 * larger weight, then to the key earlier in code-unit order, so the same input always gives the same
 * proposal, whatever order the parts arrive in. Results come back in the input order.
 *
 * When every weight is 0 (nothing known about the parts yet) the total is split evenly with the same
 * rounding, rather than refusing, so a new campaign can still start from a proposal.
 */
export function proposeAllocation(total: number, parts: readonly AllocationPart[]): Allocation[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new AllocationError('allocation.total', { total: String(total) });
  const seen = new Set<string>();
  for (const part of parts) {
    if (seen.has(part.key)) throw new AllocationError('allocation.duplicateKey', { key: part.key });
    seen.add(part.key);
    const w = part.weight;
    if (w !== undefined && w !== null && !(Number.isFinite(w) && w >= 0)) {
      throw new AllocationError('allocation.weight', { key: part.key, weight: String(w) });
    }
  }
  if (parts.length === 0) {
    if (total === 0) return [];
    throw new AllocationError('allocation.noParts', { total });
  }

  let weights = parts.map((p) => p.weight ?? 0);
  let sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) {
    weights = weights.map(() => 1);
    sum = weights.length;
  }

  // Work with numerators over the common denominator `sum`, so remainders of integer weights are
  // compared exactly instead of as floating-point fractions.
  const rows = parts.map((part, index) => {
    const numerator = total * weights[index];
    const floor = Math.floor(numerator / sum);
    return { index, key: part.key, weight: weights[index], floor, remainder: numerator - floor * sum };
  });
  let left = total - rows.reduce((a, r) => a + r.floor, 0);
  const order = [...rows].sort(
    (a, b) => b.remainder - a.remainder || b.weight - a.weight || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  const extra = new Set<number>();
  for (const row of order) {
    if (left <= 0) break;
    // A zero-weight part has a zero remainder; it never takes a leftover seat.
    if (row.weight === 0) continue;
    extra.add(row.index);
    left--;
  }
  return rows.map((r) => ({ key: r.key, target: r.floor + (extra.has(r.index) ? 1 : 0) }));
}
