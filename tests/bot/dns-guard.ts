/**
 * Catches any attempt to reach a host that is not this computer. This machine has no outside
 * network, and there a DNS lookup of a public name does not fail, it hangs, holding one of the
 * four libuv threads every suite in the process shares: a few of those stalled whole test runs.
 * While installed, a lookup of any name but a loopback one fails at once with ENOTFOUND and is
 * recorded, so the suite can assert that none happened.
 */
import dns from 'node:dns';
import { isIP } from 'node:net';

/** True for the names and addresses of this computer. */
export function isLoopbackName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(h) ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(h)
  );
}

export interface DnsGuard {
  /** Every non-loopback name looked up since install, in order. */
  readonly refused: readonly string[];
  uninstall(): void;
}

type Lookup = typeof dns.lookup;
type PromisesLookup = typeof dns.promises.lookup;

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (blocked by the test)`), {
    code: 'ENOTFOUND',
    syscall: 'getaddrinfo',
    hostname,
  });
}

/** True for what may be looked up: loopback names, and IP literals (Node answers those itself). */
function isAllowed(hostname: string): boolean {
  return isIP(hostname) !== 0 || isLoopbackName(hostname);
}

/**
 * Wraps `dns.lookup` and `dns.promises.lookup`. Node's `net` (and so http, https and `fetch`)
 * reads `dns.lookup` on every connect and listen, so every connection is covered. A module that
 * imported `lookup` by name before the guard was installed (src/net/outbound-guard.ts) keeps the
 * original for its own pre-check, but the connection it then makes is covered.
 */
export function installDnsGuard(): DnsGuard {
  const refused: string[] = [];
  const originalLookup = dns.lookup;
  const originalPromisesLookup = dns.promises.lookup;

  const guardedLookup = function (this: unknown, hostname: string, ...rest: unknown[]): void {
    if (!isAllowed(hostname)) {
      refused.push(hostname);
      const callback = rest[rest.length - 1];
      if (typeof callback === 'function') {
        process.nextTick(() => (callback as (e: Error) => void)(notFound(hostname)));
      }
      return;
    }
    (originalLookup as (...args: unknown[]) => void).call(this, hostname, ...rest);
  } as unknown as Lookup;

  const guardedPromisesLookup = async function (
    this: unknown,
    hostname: string,
    ...rest: unknown[]
  ): Promise<unknown> {
    if (!isAllowed(hostname)) {
      refused.push(hostname);
      throw notFound(hostname);
    }
    return (originalPromisesLookup as (...args: unknown[]) => Promise<unknown>).call(
      this,
      hostname,
      ...rest,
    );
  } as unknown as PromisesLookup;

  dns.lookup = guardedLookup;
  dns.promises.lookup = guardedPromisesLookup;
  return {
    refused,
    uninstall() {
      if (dns.lookup === guardedLookup) dns.lookup = originalLookup;
      if (dns.promises.lookup === guardedPromisesLookup) {
        dns.promises.lookup = originalPromisesLookup;
      }
    },
  };
}
