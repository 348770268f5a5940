/** An error with the HTTP status and the Chinese message the user should see (and what to do). */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 429 | 500,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const forbidden = (what = '无权访问该内容：它不属于您负责的网格。如需访问，请联系管理员分配网格。') => new HttpError(403, what);
export const notFound = (what = '未找到该页面或记录，请从导航重新进入。') => new HttpError(404, what);
