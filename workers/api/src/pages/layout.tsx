import type { Child } from 'hono/jsx';

// The shell of the server-rendered pages: mobile first, no framework, no external requests.

export const PAGE_STYLE = `
:root{--ink:#1f2430;--muted:#5b6170;--accent:#7a4b2a;--ok:#1e6b3a;--warn:#8a5a00;--bad:#a12a2a;--paper:#fbf8f3}
*{box-sizing:border-box}body{margin:0;font:17px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--ink);background:var(--paper)}
main{max-width:32rem;margin:0 auto;padding:1.25rem}h1{font-size:1.6rem;line-height:1.2;margin:.25rem 0 1rem}
.card{background:#fff;border-radius:14px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.08);margin:1rem 0}
.muted{color:var(--muted)}.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:.8rem;color:var(--accent);font-weight:600}
blockquote{margin:1rem 0;padding:.75rem 1rem;border-left:4px solid var(--accent);background:#f6efe7;font-style:italic}
.qr{display:block;width:100%;max-width:20rem;margin:0 auto;background:#fff;padding:.5rem}
.status{border-radius:10px;padding:.9rem 1rem;font-weight:600;margin:1rem 0}.status.ok{background:#e5f3ea;color:var(--ok)}
.status.warn{background:#fdf1dc;color:var(--warn)}.status.bad{background:#f9e3e3;color:var(--bad)}
a{color:#1d4f91}dl{margin:0}dt{font-weight:600;margin-top:.6rem}dd{margin:0}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}input,textarea{width:100%;font:inherit;padding:.7rem;border:1px solid #b9b2a8;border-radius:10px;background:#fff;color:var(--ink)}
button{font:inherit;font-weight:600;border:0;border-radius:10px;padding:.85rem 1.2rem;background:var(--accent);color:#fff;width:100%;margin-top:.9rem;cursor:pointer}
button.secondary{background:#e8e1d8;color:var(--ink)}button.small{width:auto;padding:.45rem .8rem;margin:0}
ul.plain{list-style:none;padding:0;margin:0}ul.plain li{padding:.6rem 0;border-bottom:1px solid #eee;display:flex;justify-content:space-between;gap:.5rem;align-items:center}ul.plain li>span:first-child{min-width:0;overflow-wrap:anywhere}ul.plain li>.num{flex:none}
table{width:100%;border-collapse:collapse;font-size:.95rem}th,td{text-align:left;padding:.45rem .3rem;border-bottom:1px solid #eee;vertical-align:top}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
nav.periods{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0}nav.periods a{padding:.35rem .6rem;border-radius:8px;background:#e8e1d8;color:var(--ink);text-decoration:none}nav.periods a[aria-current]{background:var(--accent);color:#fff}
.print-only{display:none}
@media print{body{background:#fff;font-size:12pt}main{max-width:none;padding:0}.no-print,nav,form,button{display:none!important}.print-only{display:block}.card{box-shadow:none;border:1px solid #ccc;break-inside:avoid}a{color:inherit;text-decoration:none}}
.code{font-family:ui-monospace,monospace;font-size:.85rem;word-break:break-all}
`;

export function Page(props: {
  title: string;
  children: Child;
  script?: string;
  scripts?: string[];
  /** CSS of the page's own, after the shared style. */
  style?: string;
  /** The page's language (BCP 47), `en` when not said. */
  lang?: string;
}) {
  const scripts = [...(props.scripts ?? []), ...(props.script ? [props.script] : [])];
  return (
    <html lang={props.lang ?? 'en'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{props.title}</title>
        <style>{props.style ? `${PAGE_STYLE}${props.style}` : PAGE_STYLE}</style>
      </head>
      <body>
        <main>{props.children}</main>
        {scripts.map((src) => (
          <script src={src} />
        ))}
      </body>
    </html>
  );
}

/** Money on pages: the one formatter, by the currency's own minor unit. */
export { formatMoney } from '@gratia/core';

/** A short date and time in UTC, for the counter's activity lists. */
export function formatTimeUtc(ms: number): string {
  return new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(new Date(ms));
}

export function formatDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone }).format(new Date(ms));
}
