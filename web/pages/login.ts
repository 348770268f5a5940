import { html } from '../html.ts';
import { barePage } from './layout.ts';

export interface LoginView {
  formToken: string;
  next: string;
  username?: string;
  error?: string;
}

export function loginPage(view: LoginView): string {
  return barePage(
    '登录',
    html`<form class="login" method="post" action="/login">
  <h1>劳动保障监察网格</h1>
  <p class="sub">一企一档 · 一格一册</p>
  ${view.error ? html`<p class="alert" role="alert">${view.error}</p>` : ''}
  <input type="hidden" name="_csrf" value="${view.formToken}">
  <input type="hidden" name="next" value="${view.next}">
  <label>用户名<input name="username" autocomplete="username" required autofocus value="${view.username ?? ''}"></label>
  <label>密码<input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">登录</button>
  <p class="hint">账号由管理员用 <code>gridlink users add</code> 创建。</p>
</form>`,
  );
}
