import type { Agency, FeedField, FeedKind } from '../schemas/feeds.ts';

/**
 * What the connectors know about one file layout. Aliases are written as agencies print them;
 * headers.ts cleans them the same way as the header cells, so `注册资本（万元）` and
 * `注册资本(万元)` need no separate entries.
 */
export interface KindSpec<K extends FeedKind = FeedKind> {
  kind: K;
  /** Chinese name of the layout, used in reasons shown to operators. */
  label: string;
  /**
   * Header names per canonical field, preferred first: when a file carries two of them
   * (e.g. both 单位详细名称 and 单位名称) the earlier one supplies the field.
   */
  aliases: { readonly [F in FeedField<K>]: readonly string[] };
  /** Whether a header whose recognised fields are `present` is a file of this kind. */
  recognises(present: ReadonlySet<string>): boolean;
  /** The columns `recognises` looks for, in words, for the quarantine reason. */
  requirement: string;
}

export const AGENCY_LABELS: Readonly<Record<Agency, string>> = {
  statistics: '统计部门',
  market: '市场监管部门',
  tax: '税务部门',
  'civil-affairs': '民政部门',
  personnel: '人事部门',
  'org-code': '质监部门',
  labour: '劳动保障部门',
};
