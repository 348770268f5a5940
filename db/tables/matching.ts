// Tables of one feature area: steward decisions, review queue, match evidence (issue: entity matching).
export interface MatchingTables {}
