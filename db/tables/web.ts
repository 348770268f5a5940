// Tables of one feature area: users, sessions, audit (issue: web pages).
export interface WebTables {}
