// Tables of one feature area: stewards' placement rules, road gazetteer, grid change history (issue: grid placement).
export interface GridRuleTables {}
