/**
 * A stand-in for the Business Central web client, so "Go to client" and deep links (tasks,
 * invoices) open something meaningful in sample mode. It only shows what the URL asks for;
 * every piece of URL text is HTML-escaped, and the page allows no scripts.
 */
import type { GeneratedEnvironment, GeneratedTenant } from './fleet.js';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Pages the hub links to, by object ID. */
const pageNames: Readonly<Record<string, string>> = {
  '16': 'Chart of Accounts',
  '21': 'Customer Card',
  '22': 'Customer List',
  '26': 'Vendor Card',
  '27': 'Vendor List',
  '41': 'Sales Quote',
  '42': 'Sales Order',
  '43': 'Sales Invoice',
  '51': 'Purchase Invoice',
  '132': 'Posted Sales Invoice',
  '138': 'Posted Purchase Invoice',
  '143': 'Posted Sales Invoices',
  '146': 'Posted Purchase Invoices',
  '1170': 'User Task List',
  '1171': 'User Task Card',
  '9305': 'Sales Order List',
  '9308': 'Purchase Invoices',
};

/** The web client pages run no script and load nothing. */
export const securityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:"Segoe UI",system-ui,sans-serif;margin:0;color:#212121;background:#f5f5f5}
header{background:#00a4b4;color:#fff;padding:12px 24px;font-size:18px}
main{padding:24px;max-width:860px}
.card{background:#fff;border-radius:4px;padding:16px 20px;box-shadow:0 1px 3px rgba(0,0,0,.15);margin-bottom:16px}
dt{font-weight:600;margin-top:8px}dd{margin:2px 0 0}
.note{color:#616161;font-size:13px}
</style>
</head>
<body>
<header>Dynamics 365 Business Central &mdash; sample web client</header>
<main>
${body}
</main>
</body>
</html>
`;
}

/**
 * The page for `GET /{tenant}/{environment}[/]?company=…&page=…`: which company and page the
 * link asked for, and the environment's companies as links.
 */
export function webClientPage(
  tenant: GeneratedTenant,
  environment: GeneratedEnvironment,
  clientUrl: string,
  query: URLSearchParams,
): string {
  const companyParam = query.get('company');
  const pageParam = query.get('page');
  const company =
    companyParam === null ? undefined : environment.companies.find((c) => c.name === companyParam);
  const details: string[] = [
    `<dt>Client</dt><dd>${escapeHtml(tenant.displayName)}</dd>`,
    `<dt>Tenant</dt><dd>${escapeHtml(tenant.id)}</dd>`,
    `<dt>Environment</dt><dd>${escapeHtml(environment.name)}</dd>`,
  ];
  if (companyParam !== null) {
    details.push(
      company
        ? `<dt>Company</dt><dd id="company">${escapeHtml(company.displayName)} (${escapeHtml(company.name)})</dd>`
        : `<dt>Company</dt><dd id="company">${escapeHtml(companyParam)} &mdash; no such company in this environment</dd>`,
    );
  }
  if (pageParam !== null) {
    const name = pageNames[pageParam];
    details.push(
      `<dt>Page</dt><dd id="page">${escapeHtml(pageParam)}${name ? ` &mdash; ${escapeHtml(name)}` : ''}</dd>`,
    );
  }
  for (const [key, value] of query) {
    if (key === 'company' || key === 'page') continue;
    details.push(`<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`);
  }
  const links = environment.companies
    .map(
      (c) =>
        `<li><a href="${escapeHtml(`${clientUrl}/?company=${encodeURIComponent(c.name)}`)}">${escapeHtml(c.displayName)}</a></li>`,
    )
    .join('\n');
  const body = `<div class="card"><dl>
${details.join('\n')}
</dl>
<p class="note">This is the embedded sample tenant. In a real client's Business Central this link opens the page above.</p></div>
<div class="card"><h2>Companies</h2><ul>
${links || '<li>No companies</li>'}
</ul></div>`;
  return layout(
    company ? `${company.displayName} - Business Central` : 'Business Central (sample)',
    body,
  );
}

/** The page for an unknown tenant or environment. */
export function webClientNotFoundPage(path: string): string {
  return layout(
    'Not found - Business Central (sample)',
    `<div class="card"><p>There is no sample environment at <code>${escapeHtml(path)}</code>.</p></div>`,
  );
}

/** The server's home page: the fleet's Client URLs. */
export function homePage(
  entries: readonly { name: string; url: string; companies: number }[],
): string {
  const items = entries
    .map(
      (e) =>
        `<li><a href="${escapeHtml(e.url)}">${escapeHtml(e.name)}</a> &mdash; ${e.companies} companies<br><code>${escapeHtml(e.url)}</code></li>`,
    )
    .join('\n');
  return layout(
    'Business Central (sample)',
    `<div class="card"><h2>Sample environments</h2><p class="note">Register one of these Client URLs in Accountant Hub.</p><ul>
${items}
</ul></div>`,
  );
}
