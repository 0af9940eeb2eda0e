/**
 * Client URL and invitation-link parsing. A Client URL is what an accountant pastes from the
 * address bar of a client's Business Central web client:
 * `https://businesscentral.dynamics.com/{tenant}[/{environment}][/][?company=…&…][#…]`.
 *
 * This is a security boundary as much as a convenience: the tenant and environment parsed here
 * are the only parts of the input that ever reach the connector, which builds API addresses from
 * them on a fixed host. So the parser works on the raw text rather than on a WHATWG `URL`, whose
 * normalisation (backslashes as slashes, decoded hosts, dropped `..` segments) would let a
 * disguised address look acceptable, and it rejects anything it does not fully understand with a
 * reason a person can act on.
 *
 * Shapes follow the web client URL syntax (`devenv-web-client-urls.md`) and Company Hub's own
 * parser (`COHUBCore.Codeunit.al`): the tenant is a GUID or a domain, and a link without an
 * environment means `production`.
 */
import { AppError, err, ok, type Result } from './errors.js';
import type { BcEnvironmentRef } from './model.js';

/** The Business Central web client's host. */
export const BC_WEB_CLIENT_HOST = 'businesscentral.dynamics.com';
/** The Business Central web client's origin, for building links. */
export const BC_WEB_CLIENT_ORIGIN = `https://${BC_WEB_CLIENT_HOST}`;
/** Longer input is refused before any parsing (browsers' practical limit for an address). */
export const MAX_CLIENT_URL_LENGTH = 2048;
/** BC company names are `Text[30]`. */
export const MAX_COMPANY_NAME_LENGTH = 30;
/** BC environment names: letters, digits, `-` and `_`, at most 30 characters. */
export const MAX_ENVIRONMENT_NAME_LENGTH = 30;

export interface ParsedClientUrl {
  readonly target: BcEnvironmentRef;
  /** The `company` query parameter, decoded; null when the link names none. */
  readonly companyName: string | null;
  /** True for the embedded sample tenant (only when sample mode passed its origin). */
  readonly isSample: boolean;
  /** The canonical form: `{origin}/{tenant}/{environment}[?company=…]`, lowercase host/path. */
  readonly normalizedUrl: string;
}

export interface ClientUrlOptions {
  /** The sample tenant's origin (e.g. `http://127.0.0.1:3979`); null or absent outside sample mode. */
  readonly sampleOrigin?: string | null;
}

/** Why a link was refused, for callers and tests that branch on it (`AppError.details.problem`). */
export type ClientUrlProblem =
  | 'empty'
  | 'too-long'
  | 'control-characters'
  | 'script-url'
  | 'not-https'
  | 'not-a-url'
  | 'userinfo'
  | 'port'
  | 'ip-address'
  | 'lookalike-host'
  | 'www-host'
  | 'old-financials-host'
  | 'api-host'
  | 'login-link'
  | 'invitation-link'
  | 'other-host'
  | 'no-tenant'
  | 'bad-tenant'
  | 'bad-environment'
  | 'bad-path'
  | 'too-many-segments'
  | 'bad-encoding'
  | 'bad-company'
  | 'bad-invitation';

const EXAMPLE = `${BC_WEB_CLIENT_ORIGIN}/{tenant}/{environment}`;
const COPY_HINT =
  "Open the client's Business Central in a browser and copy the address from the address bar.";

function refuse(problem: ClientUrlProblem, message: string): Result<never, AppError> {
  return err(new AppError('validation', message, { field: 'url', problem }));
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const ENVIRONMENT = /^[a-z0-9_-]+$/;
/** C0/C1 controls and invisible formatting characters that can disguise what a link says. */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;
const SCRIPT_SCHEMES = new Set(['javascript', 'data', 'vbscript', 'file', 'blob', 'about']);

/** An Entra tenant as a Client URL names it: a GUID or a domain name (lowercase). */
export function isTenantSegment(value: string): boolean {
  const v = value.toLowerCase();
  if (GUID.test(v)) return true;
  if (v.length > 253) return false;
  const labels = v.split('.');
  const tld = labels[labels.length - 1] ?? '';
  return labels.length >= 2 && labels.every((l) => DOMAIN_LABEL.test(l)) && TLD.test(tld);
}

/** A BC environment name: letters, digits, `-` and `_`, 1–30 characters. */
export function isEnvironmentName(value: string): boolean {
  return (
    value.length >= 1 &&
    value.length <= MAX_ENVIRONMENT_NAME_LENGTH &&
    ENVIRONMENT.test(value.toLowerCase())
  );
}

interface RawUrl {
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  readonly query: string;
}

/** Checks common to every link, then splits it into its raw parts. */
function splitLink(input: string): Result<RawUrl, AppError> {
  if (typeof input !== 'string' || input.trim() === '') {
    return refuse('empty', `Paste the client's Business Central address, for example ${EXAMPLE}.`);
  }
  const s = input.trim();
  if (s.length > MAX_CLIENT_URL_LENGTH) {
    return refuse(
      'too-long',
      `This address is longer than ${MAX_CLIENT_URL_LENGTH} characters, which no Business Central address is. ${COPY_HINT}`,
    );
  }
  if (INVISIBLE.test(s)) {
    return refuse(
      'control-characters',
      'This address contains invisible or control characters. Type it again or copy it from the browser address bar.',
    );
  }
  const schemeMatch = /^([a-z][a-z0-9+.-]*):/i.exec(s);
  if (!schemeMatch?.[1]) {
    return refuse(
      'not-https',
      `A Business Central address starts with https://, for example ${EXAMPLE}.`,
    );
  }
  const scheme = schemeMatch[1].toLowerCase();
  if (SCRIPT_SCHEMES.has(scheme)) {
    return refuse('script-url', `This is not a web address. ${COPY_HINT}`);
  }
  const rest = s.slice(schemeMatch[0].length);
  if (!rest.startsWith('//')) {
    return refuse('not-a-url', `This is not a complete web address. ${COPY_HINT}`);
  }
  if (s.includes('\\')) {
    return refuse(
      'not-a-url',
      'This address contains a backslash (\\), which a Business Central address never does.',
    );
  }
  const afterSlashes = rest.slice(2);
  const authorityEnd = afterSlashes.search(/[/?#]/);
  const authority = authorityEnd < 0 ? afterSlashes : afterSlashes.slice(0, authorityEnd);
  const tail = authorityEnd < 0 ? '' : afterSlashes.slice(authorityEnd);
  const hashAt = tail.indexOf('#');
  const beforeHash = hashAt < 0 ? tail : tail.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  const path = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt < 0 ? '' : beforeHash.slice(queryAt + 1);
  if (authority === '') {
    return refuse('not-a-url', `This address has no host name. ${COPY_HINT}`);
  }
  return ok({ scheme, authority, path, query });
}

/** Explains why a host is not the web client's. */
function refuseHost(authority: string): Result<never, AppError> {
  if (authority.includes('@')) {
    return refuse(
      'userinfo',
      'This address has a user name before the host (…@), a trick used to disguise where a link goes. Business Central addresses never have one.',
    );
  }
  if (authority.startsWith('[')) {
    return refuse(
      'ip-address',
      `This address uses an IP address instead of ${BC_WEB_CLIENT_HOST}.`,
    );
  }
  const host = authority.toLowerCase();
  const colon = host.lastIndexOf(':');
  const hostOnly = colon >= 0 ? host.slice(0, colon) : host;
  if (colon >= 0) {
    return refuse(
      'port',
      `This address names a port (${host.slice(colon)}); Business Central addresses never do. ${COPY_HINT}`,
    );
  }
  // Non-ASCII or punycode hosts are how look-alike domains (Cyrillic "е" for "e") are made.
  if (/[^\x20-\x7e]/.test(hostOnly) || /(^|\.)xn--/.test(hostOnly)) {
    return refuse(
      'lookalike-host',
      `This address uses characters that only look like ${BC_WEB_CLIENT_HOST}; it is a different site.`,
    );
  }
  if (/^[0-9.]+$/.test(hostOnly) || /^0x[0-9a-f]+$/i.test(hostOnly)) {
    return refuse(
      'ip-address',
      `This address uses an IP address instead of ${BC_WEB_CLIENT_HOST}.`,
    );
  }
  if (hostOnly === `www.${BC_WEB_CLIENT_HOST}`) {
    return refuse('www-host', `Use ${BC_WEB_CLIENT_HOST} without "www.", as in ${EXAMPLE}.`);
  }
  if (hostOnly === 'financials.dynamics.com' || hostOnly.endsWith('.financials.dynamics.com')) {
    return refuse(
      'old-financials-host',
      `This is an old Dynamics 365 for Financials address. ${COPY_HINT} It starts with ${BC_WEB_CLIENT_ORIGIN}/.`,
    );
  }
  if (hostOnly === `api.${BC_WEB_CLIENT_HOST}`) {
    return refuse(
      'api-host',
      `This is the Business Central API address, not the web client. ${COPY_HINT}`,
    );
  }
  if (hostOnly === 'login.microsoftonline.com' || hostOnly === 'login.microsoft.com') {
    return refuse(
      'login-link',
      `This is a Microsoft sign-in link, not a Business Central address. ${COPY_HINT}`,
    );
  }
  if (hostOnly === 'invitations.microsoft.com') {
    return refuse(
      'invitation-link',
      'This is an invitation link: add the client from the invitation instead, or paste the address of their Business Central.',
    );
  }
  const shown = hostOnly.length > 80 ? `${hostOnly.slice(0, 80)}…` : hostOnly;
  return refuse(
    'other-host',
    `This address points to ${shown}, not to Business Central (${BC_WEB_CLIENT_HOST}). ${COPY_HINT}`,
  );
}

/** Parses `/{tenant}[/{environment}][/]` and the query of an accepted origin. */
function parseTenantPath(
  raw: RawUrl,
  origin: string,
  isSample: boolean,
): Result<ParsedClientUrl, AppError> {
  const path = raw.path.endsWith('/') ? raw.path.slice(0, -1) : raw.path;
  if (path === '') {
    return refuse(
      'no-tenant',
      `This link does not name a tenant. Use the address with the client's tenant, for example ${EXAMPLE}. ${COPY_HINT}`,
    );
  }
  const segments = path.slice(1).split('/');
  if (segments.some((seg) => seg === '')) {
    return refuse(
      'bad-path',
      `This address has an empty part (//). It should look like ${EXAMPLE}.`,
    );
  }
  if (segments.length > 2) {
    return refuse('too-many-segments', `This address has more parts than ${EXAMPLE}. ${COPY_HINT}`);
  }
  const [tenantRaw = '', environmentRaw] = segments;
  const tenant = tenantRaw.toLowerCase();
  if (!isTenantSegment(tenant)) {
    if (segments.length === 1 && isEnvironmentName(tenant)) {
      return refuse(
        'no-tenant',
        `This link does not name a tenant ("${shorten(tenantRaw)}" looks like an environment name). Put the client's tenant ID or domain before it, for example ${EXAMPLE}.`,
      );
    }
    return refuse(
      'bad-tenant',
      `"${shorten(tenantRaw)}" is not a tenant. Use the client's tenant ID (a GUID) or domain (such as contoso.com), as in ${EXAMPLE}.`,
    );
  }
  const environment = (environmentRaw ?? 'production').toLowerCase();
  if (!isEnvironmentName(environment)) {
    return refuse(
      'bad-environment',
      `"${shorten(environmentRaw ?? '')}" is not a Business Central environment name (letters, digits, - and _, at most ${MAX_ENVIRONMENT_NAME_LENGTH} characters).`,
    );
  }
  const company = parseCompany(raw.query);
  if (!company.ok) return company;
  const base = `${origin}/${tenant}/${environment}`;
  return ok({
    target: { tenant, environment },
    companyName: company.value,
    isSample,
    normalizedUrl:
      company.value === null ? base : `${base}?company=${encodeURIComponent(company.value)}`,
  });
}

function parseCompany(query: string): Result<string | null, AppError> {
  if (query === '') return ok(null);
  if (/%(?![0-9a-f]{2})/i.test(query)) {
    return refuse('bad-encoding', `This address has a broken %-escape. ${COPY_HINT}`);
  }
  let params: URLSearchParams;
  try {
    // Fails on escapes that decode to invalid UTF-8, which URLSearchParams would replace silently.
    decodeURIComponent(query.replace(/\+/g, ' '));
    params = new URLSearchParams(query);
  } catch {
    return refuse('bad-encoding', `This address has a broken %-escape. ${COPY_HINT}`);
  }
  const names = [...new Set(params.getAll('company').map((c) => c.trim()))].filter((c) => c !== '');
  if (names.length > 1) {
    return refuse('bad-company', 'This address names more than one company; keep one.');
  }
  const name = names[0];
  if (name === undefined) return ok(null);
  if (INVISIBLE.test(name)) {
    return refuse('bad-company', 'The company name in this address contains control characters.');
  }
  if (name.length > MAX_COMPANY_NAME_LENGTH) {
    return refuse(
      'bad-company',
      `The company name in this address is longer than ${MAX_COMPANY_NAME_LENGTH} characters, which Business Central does not allow.`,
    );
  }
  return ok(name);
}

function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** The sample tenant's origin when it is usable, else null. */
function sampleOriginOf(options: ClientUrlOptions): string | null {
  if (!options.sampleOrigin) return null;
  try {
    const origin = new URL(options.sampleOrigin).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * Parses a Client URL. Accepts `https://businesscentral.dynamics.com/{tenant}[/{environment}]`
 * with an optional trailing slash, query (`company`, `redirectedfromsignup`, anything else is
 * ignored) and fragment; host case and surrounding whitespace do not matter. The sample tenant
 * (`{sampleOrigin}/{tenant}/{environment}`) is accepted only when `options.sampleOrigin` is set
 * and matches exactly. Everything else is an `AppError('validation')` whose message says what
 * is wrong and `details.problem` says which {@link ClientUrlProblem}.
 */
export function parseClientUrl(
  input: string,
  options: ClientUrlOptions = {},
): Result<ParsedClientUrl, AppError> {
  const split = splitLink(input);
  if (!split.ok) return split;
  const raw = split.value;
  const sample = sampleOriginOf(options);
  if (sample !== null && `${raw.scheme}://${raw.authority}`.toLowerCase() === sample) {
    return parseTenantPath(raw, sample, true);
  }
  if (raw.scheme !== 'https') {
    return refuse(
      'not-https',
      `A Business Central address starts with https://, for example ${EXAMPLE}.`,
    );
  }
  if (raw.authority.toLowerCase() !== BC_WEB_CLIENT_HOST) return refuseHost(raw.authority);
  return parseTenantPath(raw, BC_WEB_CLIENT_ORIGIN, false);
}

/**
 * Parses what a client's invitation gives the accountant: the link to the client's Business
 * Central from the invitation e-mail (any Client URL shape, typically with
 * `?redirectedfromsignup=1`), or a Microsoft Entra B2B redeem link
 * `https://invitations.microsoft.com/redeem/?tenant={guid}&user=…&ticket=…` (environment
 * `production`), also when wrapped as `https://login.microsoftonline.com/redeem?rd={that link}`.
 * Other sign-in links are refused: they do not say which Business Central to open.
 */
export function parseInvitationLink(
  input: string,
  options: ClientUrlOptions = {},
): Result<ParsedClientUrl, AppError> {
  return parseInvitation(input, options, true);
}

function parseInvitation(
  input: string,
  options: ClientUrlOptions,
  allowWrapped: boolean,
): Result<ParsedClientUrl, AppError> {
  const split = splitLink(input);
  if (!split.ok) return split;
  const raw = split.value;
  const host = raw.authority.toLowerCase();
  const isRedeemPath = raw.path === '/redeem' || raw.path === '/redeem/';
  if (raw.scheme === 'https' && host === 'invitations.microsoft.com') {
    if (!isRedeemPath) {
      return refuse(
        'bad-invitation',
        'This invitations.microsoft.com link is not an invitation (it should contain /redeem/?tenant=…). Copy the whole link from the e-mail.',
      );
    }
    return tenantFromRedeem(raw.query);
  }
  if (raw.scheme === 'https' && host === 'login.microsoftonline.com') {
    const rd = isRedeemPath && allowWrapped ? queryParam(raw.query, 'rd') : null;
    if (rd !== null) return parseInvitation(rd, options, false);
    return refuse(
      'login-link',
      "This is a Microsoft sign-in link; it does not say which Business Central to open. Paste the link to the client's Business Central from the invitation e-mail (it starts with https://businesscentral.dynamics.com/), or the invitation's redeem link.",
    );
  }
  return parseClientUrl(input, options);
}

function queryParam(query: string, name: string): string | null {
  try {
    const values = new URLSearchParams(query).getAll(name);
    return values.length === 1 && values[0] ? values[0] : null;
  } catch {
    return null;
  }
}

function tenantFromRedeem(query: string): Result<ParsedClientUrl, AppError> {
  if (/%(?![0-9a-f]{2})/i.test(query)) {
    return refuse(
      'bad-encoding',
      'This invitation link has a broken %-escape. Copy the whole link from the e-mail.',
    );
  }
  const tenant = queryParam(query, 'tenant')?.trim().toLowerCase() ?? '';
  if (tenant === '') {
    return refuse(
      'bad-invitation',
      "This invitation link does not name the client's tenant. Copy the whole link from the e-mail.",
    );
  }
  if (!isTenantSegment(tenant) || INVISIBLE.test(tenant)) {
    return refuse('bad-tenant', `"${shorten(tenant)}" in this invitation link is not a tenant ID.`);
  }
  const environment = 'production';
  return ok({
    target: { tenant, environment },
    companyName: null,
    isSample: false,
    normalizedUrl: `${BC_WEB_CLIENT_ORIGIN}/${tenant}/${environment}`,
  });
}
