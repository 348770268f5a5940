/**
 * A file that cannot be read at all: it goes to quarantine with `reason`, which tells the operator
 * (in Chinese) what is wrong and what to do. Rows of a readable file never raise this; they become
 * RowProblems.
 */
export class FeedUnreadableError extends Error {
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'FeedUnreadableError';
    this.reason = reason;
  }
}
