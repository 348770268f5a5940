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

export function assignUnitIds(
  clusters: number[][],
  previousUnitOf: (record: number) => string | undefined,
  mint: () => string,
): ClusterIdResult {
  const votes = clusters.map((members) => {
    const tally = new Map<string, number>();
    for (const m of members) {
      const id = previousUnitOf(m);
      if (id !== undefined) tally.set(id, (tally.get(id) ?? 0) + 1);
    }
    return tally;
  });
  const claimants = new Map<string, number>();
  for (const t of votes) for (const id of t.keys()) claimants.set(id, (claimants.get(id) ?? 0) + 1);
  const previousIds = new Set(claimants.keys());

  // Biggest claims first, so the part of a split unit holding most of its records keeps the id. A cluster
  // that claims one id no other cluster claims gets it whatever the order: only contested claims are sorted.
  const ids: (string | undefined)[] = new Array(clusters.length);
  const taken = new Set<string>();
  const claims: { cluster: number; id: string; n: number }[] = [];
  votes.forEach((t, cluster) => {
    if (t.size === 1) {
      const [id] = t.keys();
      if (claimants.get(id!) === 1) {
        ids[cluster] = id;
        taken.add(id!);
        return;
      }
    }
    t.forEach((n, id) => claims.push({ cluster, id, n }));
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
      for (const old of votes[i]!.keys()) {
        const list = split.get(old) ?? [];
        list.push(ids[i]!);
        split.set(old, list);
      }
    }
    for (const old of votes[i]!.keys()) {
      if (old !== ids[i] && !taken.has(old)) {
        const list = merged.get(ids[i]!) ?? [];
        if (!list.includes(old)) list.push(old);
        merged.set(ids[i]!, list);
      }
    }
  }
  const retired = [...previousIds].filter((id) => !taken.has(id)).sort();
  return { ids: ids as string[], created, merged, split, retired };
}
