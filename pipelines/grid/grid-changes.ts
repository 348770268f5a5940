/**
 * What changed between two grid deliveries, grid by grid, in the words the bureau uses: a grid added or
 * retired, renamed, given a new code, split into several, merged into one, moved under another level-1
 * grid, its coverage or its staff changed. Pure.
 */

export interface GridState {
  code: string;
  name: string;
  level: number;
  parentCode: string | null;
  divisionCodes: readonly string[];
  inspector: string | null;
  assistant: string | null;
  phone: string | null;
}

export type GridEventKind = 'added' | 'retired' | 'renamed' | 'recoded' | 'split' | 'merged' | 'reparented' | 'coverage_changed' | 'staff_changed';

export interface GridChange {
  event: GridEventKind;
  gridCode: string;
  detail: Record<string, unknown>;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

export function diffGrids(before: readonly GridState[], after: readonly GridState[]): GridChange[] {
  const out: GridChange[] = [];
  const oldBy = new Map(before.map((g) => [g.code, g]));
  const newBy = new Map(after.map((g) => [g.code, g]));
  const owner = (grids: readonly GridState[]) => {
    const m = new Map<string, string>();
    for (const g of grids) for (const d of g.divisionCodes) m.set(`${g.level}|${d}`, g.code);
    return m;
  };
  const oldOwner = owner(before);
  const newOwner = owner(after);
  const targets = (g: GridState) => [...new Set(g.divisionCodes.map((d) => newOwner.get(`${g.level}|${d}`)).filter((c): c is string => c !== undefined))].sort();
  const sources = (g: GridState) => [...new Set(g.divisionCodes.map((d) => oldOwner.get(`${g.level}|${d}`)).filter((c): c is string => c !== undefined))].sort();

  for (const g of before) {
    const now = newBy.get(g.code);
    const into = targets(g);
    if (!now) {
      const only = into.length === 1 ? newBy.get(into[0]!) : undefined;
      if (into.length === 0) out.push({ event: 'retired', gridCode: g.code, detail: { name: g.name, divisions: g.divisionCodes } });
      else if (only && !oldBy.has(only.code) && sameSet(only.divisionCodes, g.divisionCodes)) {
        out.push({ event: 'recoded', gridCode: g.code, detail: { to: only.code, name: g.name, new_name: only.name } });
      } else if (into.length === 1) out.push({ event: 'merged', gridCode: g.code, detail: { into: into[0], name: g.name } });
      else out.push({ event: 'split', gridCode: g.code, detail: { into, name: g.name } });
      continue;
    }
    if (now.name !== g.name) out.push({ event: 'renamed', gridCode: g.code, detail: { from: g.name, to: now.name } });
    if (now.parentCode !== g.parentCode) out.push({ event: 'reparented', gridCode: g.code, detail: { from: g.parentCode, to: now.parentCode } });
    if (!sameSet(now.divisionCodes, g.divisionCodes)) {
      const added = now.divisionCodes.filter((d) => !g.divisionCodes.includes(d));
      const removed = g.divisionCodes.filter((d) => !now.divisionCodes.includes(d));
      const elsewhere = into.filter((c) => c !== g.code);
      if (removed.length > 0 && elsewhere.length > 0) out.push({ event: 'split', gridCode: g.code, detail: { into: [g.code, ...elsewhere], removed } });
      else out.push({ event: 'coverage_changed', gridCode: g.code, detail: { added, removed } });
    }
    if (now.inspector !== g.inspector || now.assistant !== g.assistant || now.phone !== g.phone) {
      out.push({
        event: 'staff_changed',
        gridCode: g.code,
        detail: { from: { inspector: g.inspector, assistant: g.assistant, phone: g.phone }, to: { inspector: now.inspector, assistant: now.assistant, phone: now.phone } },
      });
    }
  }
  for (const g of after) {
    if (oldBy.has(g.code)) continue;
    const from = sources(g);
    // A grid that only took another's code over was reported as `recoded` already.
    if (out.some((e) => e.event === 'recoded' && e.detail.to === g.code)) continue;
    if (from.length > 1) out.push({ event: 'merged', gridCode: g.code, detail: { from, name: g.name } });
    else out.push({ event: 'added', gridCode: g.code, detail: { name: g.name, divisions: g.divisionCodes, ...(from.length === 1 ? { from } : {}) } });
  }
  return out;
}
