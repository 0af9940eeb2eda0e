/**
 * Who is calling the REST API. The server asks an {@link Authenticator} once per request; the
 * answer is an {@link AccountantIdentity} or an `unauthenticated`/`forbidden` error.
 *
 * Two implementations exist: {@link localAuthenticator} here, for sample mode on one computer, and
 * the Entra (Teams SSO) one in `server/auth/`, which validates the bearer token the tab sends.
 * The composition root (`server/app.ts`) picks one from `AUTH_MODE`.
 */
import { isIP } from 'node:net';
import { AppError, err, ok, type Result } from '../src/domain/errors.js';
import { accountantIdOf } from '../src/domain/ids.js';
import type { AccountantIdentity } from '../src/hub/hub.js';

/** The parts of an HTTP request an authenticator may look at. */
export interface AuthRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The TCP peer address as the socket reports it (`::ffff:127.0.0.1` style for IPv4 on dual stack). */
  readonly remoteAddress: string | undefined;
}

export interface Authenticator {
  authenticate(req: AuthRequest): Promise<Result<AccountantIdentity>>;
}

/** The one accountant of sample mode. */
export const localAccountant: AccountantIdentity = Object.freeze({
  id: accountantIdOf('local', 'local-accountant'),
  entraTenantId: 'local',
  userObjectId: 'local-accountant',
  displayName: 'Local accountant',
});

/** True for 127.0.0.0/8, `::1` and IPv4-mapped loopback (`::ffff:127.x.y.z`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped?.[1] ?? address;
  switch (isIP(ip)) {
    case 4:
      return ip.startsWith('127.');
    case 6:
      return ip === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(ip);
    default:
      return false;
  }
}

/** True when the Host header names this computer (`localhost`, `*.localhost`, or a loopback IP). */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return isLoopbackAddress(bare);
}

const forwardingHeaders = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip'];

const headerValue = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? v[0] : v;

/**
 * Sample mode's authenticator: there is no sign-in, so the only safe audience is this computer.
 * It accepts a request only when
 * - the TCP peer is a loopback address,
 * - no proxy or tunnel forwarded it (a dev tunnel connects from loopback but carries the internet's
 *   requests, marked by `Forwarded`/`X-Forwarded-*` headers), and
 * - the Host header names loopback, so a web page that rebinds its own DNS name to 127.0.0.1 cannot
 *   read the accountant's data through the victim's browser.
 * Everyone who passes is the one local accountant.
 */
export function localAuthenticator(identity: AccountantIdentity = localAccountant): Authenticator {
  return {
    async authenticate(req) {
      if (!isLoopbackAddress(req.remoteAddress)) {
        return err(
          new AppError(
            'forbidden',
            'This Accountant Hub runs in local mode and only answers this computer. Use AUTH_MODE=entra to serve other machines.',
          ),
        );
      }
      if (forwardingHeaders.some((h) => req.headers[h] !== undefined)) {
        return err(
          new AppError(
            'forbidden',
            'This Accountant Hub runs in local mode and does not answer requests forwarded by a proxy or tunnel. Use AUTH_MODE=entra to serve Teams.',
          ),
        );
      }
      if (!isLoopbackHost(headerValue(req.headers['host']))) {
        return err(
          new AppError(
            'forbidden',
            'This Accountant Hub runs in local mode: open it as http://localhost or http://127.0.0.1.',
          ),
        );
      }
      return ok(identity);
    },
  };
}
