import { describe, expect, it } from '@jest/globals';
import {
  isLoopbackAddress,
  isLoopbackHost,
  localAccountant,
  localAuthenticator,
} from '../../server/authenticator.js';
import { accountantIdOf } from '../../src/domain/ids.js';

const local = localAuthenticator();
const request = (
  remoteAddress: string | undefined,
  headers: Record<string, string | string[] | undefined> = { host: '127.0.0.1:3978' },
) => ({ remoteAddress, headers });

describe('localAuthenticator', () => {
  it.each(['127.0.0.1', '127.10.20.30', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1'])(
    'accepts a request from the loopback address %s as the local accountant',
    async (address) => {
      const result = await local.authenticate(request(address));
      expect(result).toEqual({ ok: true, value: localAccountant });
    },
  );

  it('names the local accountant local:local-accountant, "Local accountant"', () => {
    expect(localAccountant.id).toBe(accountantIdOf('local', 'local-accountant'));
    expect(localAccountant.displayName).toBe('Local accountant');
  });

  it.each([
    '10.0.0.5',
    '192.168.1.20',
    '::ffff:10.1.2.3',
    '2001:db8::1',
    '::',
    '0.0.0.0',
    '128.0.0.1',
    'localhost',
    '',
    undefined,
  ])('refuses a request from the non-loopback address %p as forbidden', async (address) => {
    const result = await local.authenticate(request(address));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.reason).toBe('forbidden');
      expect(result.error.message).toMatch(/only answers this computer/);
    }
  });

  it.each(['x-forwarded-for', 'forwarded', 'x-forwarded-host', 'x-real-ip'])(
    'refuses a loopback request forwarded by a proxy or tunnel (%s)',
    async (header) => {
      const result = await local.authenticate(
        request('127.0.0.1', { host: 'localhost:3978', [header]: '203.0.113.9' }),
      );
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.message).toMatch(/proxy or tunnel/);
    },
  );

  it.each(['evil.example:3978', 'attacker.test', '', '10.0.0.1:3978'])(
    'refuses a loopback request whose Host header is %p (DNS rebinding)',
    async (host) => {
      const result = await local.authenticate(request('127.0.0.1', { host }));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.reason).toBe('forbidden');
    },
  );

  it('refuses a loopback request with no Host header', async () => {
    const result = await local.authenticate(request('127.0.0.1', {}));
    expect(result.ok).toBe(false);
  });

  it('answers with the identity it was given', async () => {
    const other = { ...localAccountant, displayName: 'Somebody' };
    const result = await localAuthenticator(other).authenticate(request('::1'));
    expect(result).toEqual({ ok: true, value: other });
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['localhost:3978', true],
    ['LOCALHOST:1', true],
    ['app.localhost:80', true],
    ['127.0.0.1:3978', true],
    ['[::1]:3978', true],
    ['localhost.evil.com', false],
    ['127.0.0.1.nip.io', false],
    ['[::2]:80', false],
    ['a b', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('isLoopbackAddress', () => {
  it('does not take host names or garbage for addresses', () => {
    expect(isLoopbackAddress('localhost')).toBe(false);
    expect(isLoopbackAddress('127.0.0.1x')).toBe(false);
    expect(isLoopbackAddress('::ffff:192.168.0.1')).toBe(false);
  });
});
