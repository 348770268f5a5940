// Tables of one feature area: run lock, HTTP pull cursors, schedules (issue: operations).
export interface OperationsTables {}
