/**
 * Gives each cluster of records a unit id, keeping ids stable across runs: a cluster takes the id most
 * of its records already had; when a unit splits, its largest part keeps the id; when units merge, the
 * id of the larger one survives. Pure, so the policy is testable without a database.
 */
export interface ClusterIdResult {
  /** cluster index → unit id (existing or newly minted) */
  ids: string[];
  created: number[];
  /** surviving id → ids absorbed into it */
  merged: Map<string, string[]>;
  /** kept id → clusters that broke away and got new ids */
  split: Map<string, string[]>;
  /** ids that no cluster holds any more */
  retired: string[];
}

/**
 * The previous unit ids a cluster's records held, with how many records held each, in order of first
 * appearance. Nearly every cluster's records held one id (or none): that case is kept without a map,
 * since a register of 250,000 units would otherwise build 250,000 maps each run.
 */
type Votes = null | { id: string; n: number } | Map<string, number>;

function tally(members: readonly number[], previousUnitOf: (record: number) => string | undefined): Votes {
  let one: string | undefined;
  let n = 0;
  let many: Map<string, number> | null = null;
  for (const m of members) {
    const id = previousUnitOf(m);
    if (id === undefined) continue;
    if (many) many.set(id, (many.get(id) ?? 0) + 1);
    else if (one === undefined || one === id) {
      one = id;
      n += 1;
    } else many = new Map([[one, n], [id, 1]]);
  }
  return many ?? (one === undefined ? null : { id: one, n });
}

function forEachVote(votes: Votes, f: (id: string, n: number) => void): void {
  if (votes === null) return;
  if (votes instanceof Map) votes.forEach((n, id) => f(id, n));
  else f(votes.id, votes.n);
}

export function assignUnitIds(
  clusters: number[][],
  previousUnitOf: (record: number) => string | undefined,
  mint: () => string,
): ClusterIdResult {
  const votes = clusters.map((members) => tally(members, previousUnitOf));
  const claimants = new Map<string, number>();
  for (const t of votes) forEachVote(t, (id) => claimants.set(id, (claimants.get(id) ?? 0) + 1));

  // Biggest claims first, so the part of a split unit holding most of its records keeps the id. A cluster
  // that claims one id no other cluster claims gets it whatever the order: only contested claims are sorted.
  const ids: (string | undefined)[] = new Array(clusters.length);
  const taken = new Set<string>();
  const claims: { cluster: number; id: string; n: number }[] = [];
  votes.forEach((t, cluster) => {
    if (t !== null && !(t instanceof Map) && claimants.get(t.id) === 1) {
      ids[cluster] = t.id;
      taken.add(t.id);
      return;
    }
    forEachVote(t, (id, n) => claims.push({ cluster, id, n }));
  });
  claims.sort((a, b) => b.n - a.n || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || a.cluster - b.cluster);
  for (const c of claims) {
    if (ids[c.cluster] !== undefined || taken.has(c.id)) continue;
    ids[c.cluster] = c.id;
    taken.add(c.id);
  }

  const created: number[] = [];
  const merged = new Map<string, string[]>();
  const split = new Map<string, string[]>();
  for (let i = 0; i < clusters.length; i++) {
    if (ids[i] === undefined) {
      ids[i] = mint();
      created.push(i);
      // A new id for records that had one before means they broke away from that unit.
      forEachVote(votes[i]!, (old) => {
        const list = split.get(old) ?? [];
        list.push(ids[i]!);
        split.set(old, list);
      });
    }
    forEachVote(votes[i]!, (old) => {
      if (old !== ids[i] && !taken.has(old)) {
        const list = merged.get(ids[i]!) ?? [];
        if (!list.includes(old)) list.push(old);
        merged.set(ids[i]!, list);
      }
    });
  }
  const retired = [...claimants.keys()].filter((id) => !taken.has(id)).sort();
  return { ids: ids as string[], created, merged, split, retired };
}
