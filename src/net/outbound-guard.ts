/**
 * The outbound guard: the server only calls hosts it is allowed to call. An accountant types a
 * Client URL and the server fetches it ("Test Client URL"), so without this guard that button
 * would let anyone signed in make the server reach internal services, cloud metadata
 * (169.254.169.254) or the loopback admin ports of the machine it runs on.
 *
 * Three layers, each closing a way around the one before:
 * 1. the URL's scheme, host and port must equal an allowed origin exactly (no user info, no IP
 *    literals except loopback in sample mode) — {@link isAllowedUrl};
 * 2. the host name is resolved and every answer must be a public address, so an allowed name
 *    whose DNS points inside the network is still refused;
 * 3. redirects are never followed, so an allowed host cannot bounce the request elsewhere.
 *
 * Known limit: the check resolves the name, then `fetch` resolves it again to connect. A DNS
 * server that answers differently within that window (rebinding) is out of reach here; it would
 * need control of the DNS of Business Central's or Entra's own domains.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { AppError, assertNever } from '../domain/errors.js';
import { classifyAddress, type AddressClass } from './ip-address.js';

/** Which origins the server may call. */
export interface OutboundPolicy {
  /**
   * Origins (`scheme://host[:port]`) the server may call, e.g.
   * `['https://api.businesscentral.dynamics.com', 'https://login.microsoftonline.com']`, plus the
   * sample tenant's origin in sample mode. Entries are compared by their URL origin, so a
   * trailing slash or path on an entry is ignored.
   */
  readonly allowedOrigins: readonly string[];
  /** Whether loopback addresses may be called at all: true only in sample mode. */
  readonly allowLoopback: boolean;
}

/** Resolves a host name to all its addresses, as `dns.promises.lookup(host, { all: true })`. */
export type HostLookup = (host: string) => Promise<{ address: string; family: number }[]>;

/** Business Central's API host and Microsoft Entra's sign-in host: the production origins. */
export const defaultAllowedOrigins: readonly string[] = [
  'https://api.businesscentral.dynamics.com',
  'https://login.microsoftonline.com',
];

/** The policy the server runs with: the configured hosts, plus the sample tenant in sample mode. */
export function createOutboundPolicy(options: {
  /** BC's API base URL and Entra's authority host, as configured. */
  readonly origins: readonly string[];
  /** The sample tenant's base URL, when sample mode runs it; enables loopback. */
  readonly sampleTenantUrl?: string | null;
}): OutboundPolicy {
  const sample = options.sampleTenantUrl ?? null;
  return {
    allowedOrigins: sample === null ? [...options.origins] : [...options.origins, sample],
    allowLoopback: sample !== null,
  };
}

function originOf(entry: string): string | null {
  try {
    const origin = new URL(entry).origin;
    // Non-http(s) schemes have the opaque origin "null", which must never match anything.
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** The host of a URL without IPv6 brackets, as DNS and the classifier take it. */
function bareHost(url: URL): string {
  const h = url.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/**
 * Whether the policy lets the server call `url`: http(s) only, no user name or password, and
 * scheme, host and port equal to an allowed origin. An IP-literal host is allowed only when
 * loopback is allowed, the address is a loopback address, and its origin is allowed (the sample
 * tenant on `http://127.0.0.1:port`). This is the synchronous check; {@link createGuardedFetch}
 * adds the DNS check and refuses redirects.
 */
export function isAllowedUrl(policy: OutboundPolicy, url: URL): boolean {
  return refusalOf(policy, url) === null;
}

/** Why `url` is refused, in words for an accountant; null when it is allowed. */
function refusalOf(policy: OutboundPolicy, url: URL): string | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `only web addresses (https) can be called, not ${url.protocol} addresses`;
  }
  if (url.username !== '' || url.password !== '') {
    return 'addresses that carry a user name or password are never called';
  }
  const allowed = policy.allowedOrigins.map(originOf).some((o) => o === url.origin);
  if (!allowed) return 'it only connects to Business Central and Microsoft sign-in servers';
  const literal = classifyAddress(bareHost(url));
  if (literal !== null && !(policy.allowLoopback && literal.class === 'loopback')) {
    return 'addresses written as numbers are never called';
  }
  return null;
}

/** How an address class reads in a message to an accountant. */
function describeClass(cls: Exclude<AddressClass, 'public'>): string {
  switch (cls) {
    case 'unspecified':
      return 'an unspecified address';
    case 'loopback':
      return 'this server itself (a loopback address)';
    case 'private':
      return 'a private network address';
    case 'link-local':
      return 'a link-local address';
    case 'unique-local':
      return 'a private (unique-local) IPv6 address';
    case 'cgnat':
      return 'a carrier-grade NAT address';
    case 'multicast':
      return 'a multicast address';
    case 'reserved':
      return 'a reserved address';
    default:
      return assertNever(cls);
  }
}

function refuse(host: string, why: string): AppError {
  return new AppError('host-not-allowed', `The hub will not call ${host}: ${why}.`, { host });
}

/** The URL a `fetch` call is about to request, whatever form its input takes. */
function urlOf(input: string | URL | Request): URL {
  const text = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  try {
    return new URL(text);
  } catch (e) {
    throw new AppError('validation', 'That is not a valid web address.', {}, { cause: e });
  }
}

const defaultLookup: HostLookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * The guard's DNS check: resolves the name `host` and returns its addresses when every one is
 * allowed (public, or loopback when the policy allows it); otherwise throws
 * `AppError('host-not-allowed')`, or `AppError('bc-unreachable')` when the name does not resolve.
 * {@link createGuardedFetch} runs it before each request; a transport that resolves names itself
 * can run it as its DNS lookup (`connector/http-transport.ts`), which then checks the very
 * addresses it connects to. `shownAs` names the server in messages (default `host`).
 */
export async function resolveAllowedAddresses(
  policy: OutboundPolicy,
  host: string,
  options: { lookup?: HostLookup; shownAs?: string } = {},
): Promise<{ address: string; family: number }[]> {
  const shown = options.shownAs ?? host;
  let answers: { address: string; family: number }[];
  try {
    answers = await (options.lookup ?? defaultLookup)(host);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    throw new AppError(
      'bc-unreachable',
      `The server ${shown} could not be found${code ? ` (${code})` : ''}. Check the network connection and the Client URL.`,
      { host: shown },
      { cause: e },
    );
  }
  if (answers.length === 0) {
    throw new AppError('bc-unreachable', `The server ${shown} could not be found (no addresses).`, {
      host: shown,
    });
  }
  for (const answer of answers) {
    const cls = classifyAddress(answer.address)?.class;
    if (cls === undefined) {
      throw refuse(shown, 'its name did not resolve to an IP address');
    }
    if (cls === 'public' || (cls === 'loopback' && policy.allowLoopback)) continue;
    throw refuse(shown, `its name points to ${describeClass(cls)}`);
  }
  return answers;
}

/**
 * A `fetch` that only calls what the policy allows. Before any byte is sent it refuses, with
 * `AppError('host-not-allowed')` naming the host: URLs {@link isAllowedUrl} rejects, and host
 * names that resolve to any non-public address (loopback is accepted only when the policy allows
 * it). It always sends `redirect: 'manual'` and turns every 3xx answer into
 * `AppError('host-not-allowed')`, so a redirect is never followed. A name that does not resolve
 * is `AppError('bc-unreachable')`.
 */
export function createGuardedFetch(
  policy: OutboundPolicy,
  options: { fetch?: typeof fetch; lookup?: HostLookup } = {},
): typeof fetch {
  const innerFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const lookup = options.lookup ?? defaultLookup;

  const checkAddresses = async (url: URL, signal: AbortSignal | null | undefined) => {
    const host = bareHost(url);
    // An IP literal was already judged by isAllowedUrl (only loopback, in sample mode).
    if (classifyAddress(host) !== null) return;
    await resolveAllowedAddresses(policy, host, { lookup, shownAs: url.host });
    signal?.throwIfAborted();
  };

  const guarded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = urlOf(input);
    const why = refusalOf(policy, url);
    if (why !== null) throw refuse(url.host === '' ? url.href : url.host, why);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    signal?.throwIfAborted();
    await checkAddresses(url, signal);

    const res = await innerFetch(input, { ...init, redirect: 'manual' });
    if (res.status >= 300 && res.status < 400) {
      // Free the connection: nobody will read this body.
      await res.body?.cancel().catch(() => undefined);
      throw new AppError(
        'host-not-allowed',
        `Business Central answered with a redirect to ${redirectTarget(res, url)}; the hub does not follow redirects.`,
        { host: url.host, status: res.status },
      );
    }
    return res;
  };
  return guarded as typeof fetch;
}

/** Where a 3xx points, shown as an origin only: the rest of the URL may carry anything. */
function redirectTarget(res: Response, base: URL): string {
  const location = res.headers.get('location');
  if (location === null || location === '') return `another address (HTTP ${res.status})`;
  try {
    const target = new URL(location, base);
    return target.origin === 'null' ? `a ${target.protocol} address` : target.origin;
  } catch {
    return 'an invalid address';
  }
}
