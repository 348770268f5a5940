import { html, type SafeHtml } from '../html.ts';
import { canSteward, ROLE_ZH, type Viewer } from '../security/viewer.ts';

export type NavKey = 'review' | 'unplaced' | 'grids' | 'runs' | 'units';

export interface Frame {
  viewer: Viewer;
  csrf: string;
  title: string;
  active?: NavKey;
}

const NAV: { key: NavKey; href: string; label: string; stewardOnly: boolean }[] = [
  { key: 'review', href: '/review', label: '匹配复核', stewardOnly: true },
  { key: 'unplaced', href: '/unplaced', label: '未定位单位', stewardOnly: true },
  { key: 'grids', href: '/grids', label: '网格名册', stewardOnly: false },
  { key: 'runs', href: '/runs', label: '运行记录', stewardOnly: true },
];

/** Every form posts its session's CSRF token; the server refuses a write without it. */
export function csrfField(csrf: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrf}">`;
}

function document(title: string, head: SafeHtml, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · 劳动保障监察网格</title>
<link rel="stylesheet" href="/static/style.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
${head}
<script src="/static/app.js" defer></script>
</head>
${body}
</html>`.value;
}

export function page(frame: Frame, content: SafeHtml): string {
  const { viewer } = frame;
  const nav = NAV.filter((n) => !n.stewardOnly || canSteward(viewer));
  return document(
    frame.title,
    html`<meta name="csrf-token" content="${frame.csrf}">`,
    html`<body>
<header class="top">
  <a class="brand" href="/">劳动保障监察网格 · 一企一档</a>
  <nav>${nav.map((n) => html`<a href="${n.href}"${n.key === frame.active ? html` class="active" aria-current="page"` : ''}>${n.label}</a>`)}</nav>
  <div class="who">
    <span>${viewer.displayName ?? viewer.username}（${ROLE_ZH[viewer.role]}）</span>
    <form method="post" action="/logout">${csrfField(frame.csrf)}<button type="submit" class="link">退出</button></form>
  </div>
</header>
<main>
<h1>${frame.title}</h1>
${content}
</main>
</body>`,
  );
}

/** Pages shown before sign-in (the login form) or instead of content (errors without a session). */
export function barePage(title: string, content: SafeHtml): string {
  return document(title, html``, html`<body class="bare"><main>${content}</main></body>`);
}

export function errorContent(status: number, message: string): SafeHtml {
  return html`<section class="error" role="alert"><p class="status">${status}</p><p>${message}</p><p><a href="/">返回首页</a></p></section>`;
}
