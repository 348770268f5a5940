// Tables of one feature area: HTTP pull state per agency (cursor, ETag, last outcome) (issue: connectors).
export interface PullTables {}
