import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { AppError } from '../../src/domain/errors.js';
import {
  createGuardedFetch,
  createOutboundPolicy,
  defaultAllowedOrigins,
  isAllowedUrl,
  type HostLookup,
  type OutboundPolicy,
} from '../../src/net/outbound-guard.js';

const production: OutboundPolicy = { allowedOrigins: defaultAllowedOrigins, allowLoopback: false };
const sample: OutboundPolicy = {
  allowedOrigins: [...defaultAllowedOrigins, 'http://127.0.0.1:3979'],
  allowLoopback: true,
};

describe('isAllowedUrl', () => {
  const table: readonly (readonly [string, OutboundPolicy, string, boolean])[] = [
    [
      'production',
      production,
      'https://api.businesscentral.dynamics.com/v2.0/t/production/api/v2.0/companies',
      true,
    ],
    ['production', production, 'https://login.microsoftonline.com/common/oauth2/v2.0/token', true],
    ['production', production, 'https://API.BusinessCentral.Dynamics.com/v2.0/', true],
    ['production', production, 'https://api.businesscentral.dynamics.com:443/', true],
    ['production', production, 'https://api.businesscentral.dynamics.com:8443/', false],
    ['production', production, 'http://api.businesscentral.dynamics.com/', false],
    ['production', production, 'https://user:pw@api.businesscentral.dynamics.com/', false],
    ['production', production, 'https://user@api.businesscentral.dynamics.com/', false],
    ['production', production, 'https://api.businesscentral.dynamics.com@evil.example/', false],
    ['production', production, 'https://api.businesscentral.dynamics.com.evil.example/', false],
    ['production', production, 'https://api.businesscentral.dynamics.com./', false],
    [
      'production',
      production,
      'https://evil.example/?u=https://api.businesscentral.dynamics.com',
      false,
    ],
    [
      'production',
      production,
      'https://evil.example/#https://api.businesscentral.dynamics.com',
      false,
    ],
    ['production', production, 'https://businesscentral.dynamics.com/', false],
    ['production', production, 'http://169.254.169.254/latest/meta-data/', false],
    ['production', production, 'http://2130706433/', false],
    ['production', production, 'http://0x7f.1/', false],
    ['production', production, 'http://[::1]/', false],
    ['production', production, 'http://[::ffff:10.0.0.1]/', false],
    ['production', production, 'http://localhost/', false],
    ['production', production, 'ftp://api.businesscentral.dynamics.com/', false],
    ['production', production, 'file:///etc/passwd', false],
    ['production', production, 'ws://api.businesscentral.dynamics.com/', false],
    ['sample', sample, 'http://127.0.0.1:3979/v2.0/t/production/api/v2.0/companies', true],
    ['sample', sample, 'http://2130706433:3979/', true],
    ['sample', sample, 'http://0x7f.1:3979/', true],
    ['sample', sample, 'http://127.0.0.1:22/', false],
    ['sample', sample, 'http://127.0.0.2:3979/', false],
    ['sample', sample, 'http://localhost:3979/', false],
    ['sample', sample, 'http://[::1]:3979/', false],
    ['sample', sample, 'https://127.0.0.1:3979/', false],
    ['sample', sample, 'https://api.businesscentral.dynamics.com/', true],
    ['sample', sample, 'http://10.0.0.1:3979/', false],
  ];

  it.each(table)('%s policy: %s is allowed: %s', (_name, policy, url, expected) => {
    expect(isAllowedUrl(policy, new URL(url))).toBe(expected);
  });

  it('refuses a loopback origin that is listed when loopback is not allowed', () => {
    const policy = { allowedOrigins: ['http://127.0.0.1:3979'], allowLoopback: false };
    expect(isAllowedUrl(policy, new URL('http://127.0.0.1:3979/'))).toBe(false);
  });

  it('refuses a listed IP origin that is not loopback, even with loopback allowed', () => {
    const policy = {
      allowedOrigins: ['http://10.0.0.1', 'https://8.8.8.8', 'http://[fd00::1]'],
      allowLoopback: true,
    };
    expect(isAllowedUrl(policy, new URL('http://10.0.0.1/'))).toBe(false);
    expect(isAllowedUrl(policy, new URL('https://8.8.8.8/'))).toBe(false);
    expect(isAllowedUrl(policy, new URL('http://[fd00::1]/'))).toBe(false);
  });

  it('ignores malformed and opaque entries in the policy instead of matching them', () => {
    const policy = {
      allowedOrigins: ['not a url', 'data:text/plain,x', 'null', ''],
      allowLoopback: false,
    };
    expect(isAllowedUrl(policy, new URL('data:text/plain,x'))).toBe(false);
    expect(isAllowedUrl(policy, new URL('https://api.businesscentral.dynamics.com/'))).toBe(false);
  });

  it('compares policy entries by origin, so a path or trailing slash on one does not matter', () => {
    const policy = {
      allowedOrigins: ['https://api.businesscentral.dynamics.com/v2.0/'],
      allowLoopback: false,
    };
    expect(isAllowedUrl(policy, new URL('https://api.businesscentral.dynamics.com/other'))).toBe(
      true,
    );
  });
});

describe('createOutboundPolicy', () => {
  it('allows loopback only when a sample tenant is given, and adds its origin', () => {
    const prod = createOutboundPolicy({ origins: defaultAllowedOrigins });
    expect(prod).toEqual({ allowedOrigins: defaultAllowedOrigins, allowLoopback: false });
    const withSample = createOutboundPolicy({
      origins: defaultAllowedOrigins,
      sampleTenantUrl: 'http://127.0.0.1:3979',
    });
    expect(withSample.allowLoopback).toBe(true);
    expect(isAllowedUrl(withSample, new URL('http://127.0.0.1:3979/v2.0/'))).toBe(true);
    expect(isAllowedUrl(prod, new URL('http://127.0.0.1:3979/v2.0/'))).toBe(false);
  });
});

// ---- createGuardedFetch, against real loopback servers --------------------------------------

interface TestServer {
  readonly server: Server;
  readonly port: number;
  readonly hits: string[];
}

const servers: Server[] = [];

async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"value":[]}');
  },
): Promise<TestServer> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method ?? ''} ${req.url ?? ''}`);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected the call to be refused');
}

/** A DNS answer for every name, as if it were a public host; records what was asked. */
function fakeLookup(answers: { address: string; family: number }[]): HostLookup & {
  asked: string[];
} {
  const asked: string[] = [];
  const lookup = async (host: string) => {
    asked.push(host);
    return answers;
  };
  return Object.assign(lookup, { asked });
}

const publicAnswer = [{ address: '20.190.160.20', family: 4 }];

describe('createGuardedFetch', () => {
  it('calls an allowed loopback origin in sample mode and returns its answer', async () => {
    const bc = await startServer();
    const origin = `http://127.0.0.1:${bc.port}`;
    const guarded = createGuardedFetch({ allowedOrigins: [origin], allowLoopback: true });
    const res = await guarded(`${origin}/v2.0/companies`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ value: [] });
    expect(bc.hits).toEqual(['GET /v2.0/companies']);
  });

  it('accepts a URL object and a Request, and passes method, headers and body through', async () => {
    const seen: string[] = [];
    const bc = await startServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push(`${req.headers['x-probe'] ?? ''}|${body}`);
        res.end('{}');
      });
    });
    const origin = `http://127.0.0.1:${bc.port}`;
    const guarded = createGuardedFetch({ allowedOrigins: [origin], allowLoopback: true });
    await (await guarded(new URL(`${origin}/a`), { headers: { 'x-probe': 'url' } })).text();
    const request = new Request(`${origin}/b`, {
      method: 'POST',
      headers: { 'x-probe': 'request' },
      body: '{"n":1}',
    });
    await (await guarded(request)).text();
    expect(bc.hits).toEqual(['GET /a', 'POST /b']);
    expect(seen).toEqual(['url|', 'request|{"n":1}']);
  });

  it('refuses an origin the policy does not list, naming the host, without sending anything', async () => {
    const allowed = await startServer();
    const other = await startServer();
    const guarded = createGuardedFetch({
      allowedOrigins: [`http://127.0.0.1:${allowed.port}`],
      allowLoopback: true,
    });
    const e = await refusal(guarded(`http://127.0.0.1:${other.port}/admin`));
    expect(e.reason).toBe('host-not-allowed');
    expect(e.message).toContain(`127.0.0.1:${other.port}`);
    expect(e.message).toContain('Business Central');
    expect(e.details).toEqual({ host: `127.0.0.1:${other.port}` });
    expect(other.hits).toEqual([]);
  });

  it('refuses loopback when the policy does not allow it, even for a listed origin', async () => {
    const bc = await startServer();
    const origin = `http://127.0.0.1:${bc.port}`;
    const guarded = createGuardedFetch({ allowedOrigins: [origin], allowLoopback: false });
    const e = await refusal(guarded(`${origin}/`));
    expect(e.reason).toBe('host-not-allowed');
    expect(bc.hits).toEqual([]);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://0177.0.0.1/',
    'http://[::1]/',
    'http://[::ffff:10.0.0.1]/',
    'http://0.0.0.0/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://10.0.0.1/',
    'https://user:secret@api.businesscentral.dynamics.com/',
    'gopher://api.businesscentral.dynamics.com/',
  ])('refuses %s in production before any lookup', async (url) => {
    const lookup = fakeLookup(publicAnswer);
    const guarded = createGuardedFetch(production, {
      lookup,
      fetch: () => Promise.reject(new Error('must not be called')),
    });
    const e = await refusal(guarded(url));
    expect(e.reason).toBe('host-not-allowed');
    expect(e.message).not.toContain('secret');
    expect(lookup.asked).toEqual([]);
  });

  it('refuses a malformed address as a validation error', async () => {
    const guarded = createGuardedFetch(production);
    const e = await refusal(guarded('not a url'));
    expect(e.reason).toBe('validation');
  });

  it('calls a listed host name whose DNS answers are public', async () => {
    const bc = await startServer();
    // "localhost" plays a public host here: the injected DNS says it is one, so the real
    // request goes out over loopback while the guard believes the name is public.
    const origin = `http://localhost:${bc.port}`;
    const lookup = fakeLookup(publicAnswer);
    const guarded = createGuardedFetch(
      { allowedOrigins: [origin], allowLoopback: false },
      { lookup },
    );
    const res = await guarded(`${origin}/v2.0/x`);
    expect(res.status).toBe(200);
    await res.text();
    expect(lookup.asked).toEqual(['localhost']);
    expect(bc.hits).toEqual(['GET /v2.0/x']);
  });

  it.each([
    [[{ address: '10.1.2.3', family: 4 }], 'a private network address'],
    [[{ address: '169.254.169.254', family: 4 }], 'a link-local address'],
    [[{ address: '127.0.0.1', family: 4 }], 'a loopback address'],
    [[{ address: '0.0.0.0', family: 4 }], 'an unspecified address'],
    [[{ address: '100.100.100.200', family: 4 }], 'a carrier-grade NAT address'],
    [[{ address: '224.0.0.251', family: 4 }], 'a multicast address'],
    [[{ address: '::ffff:10.0.0.1', family: 6 }], 'a private network address'],
    [[{ address: 'fd00::1', family: 6 }], 'unique-local'],
    [[{ address: 'fe80::1', family: 6 }], 'a link-local address'],
    [[{ address: '::1', family: 6 }], 'a loopback address'],
    [[...publicAnswer, { address: '192.168.0.10', family: 4 }], 'a private network address'],
    [[{ address: 'not-an-address', family: 4 }], 'did not resolve to an IP address'],
  ])('refuses a listed host name whose DNS answers include %j', async (answers, phrase) => {
    const bc = await startServer();
    const origin = `http://localhost:${bc.port}`;
    const guarded = createGuardedFetch(
      { allowedOrigins: [origin], allowLoopback: false },
      { lookup: fakeLookup(answers) },
    );
    const e = await refusal(guarded(`${origin}/`));
    expect(e.reason).toBe('host-not-allowed');
    expect(e.message).toContain(`localhost:${bc.port}`);
    expect(e.message).toContain(phrase);
    expect(bc.hits).toEqual([]);
  });

  it('resolves names with the system resolver by default, refusing localhost in production', async () => {
    const bc = await startServer();
    const origin = `http://localhost:${bc.port}`;
    const refused = createGuardedFetch({ allowedOrigins: [origin], allowLoopback: false });
    const e = await refusal(refused(`${origin}/`));
    expect(e.reason).toBe('host-not-allowed');
    expect(bc.hits).toEqual([]);

    const allowed = createGuardedFetch({ allowedOrigins: [origin], allowLoopback: true });
    const res = await allowed(`${origin}/ok`);
    await res.text();
    expect(bc.hits).toEqual(['GET /ok']);
  });

  it('reports a name that does not resolve as unreachable, not as refused', async () => {
    const guarded = createGuardedFetch(production, {
      lookup: () =>
        Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })),
    });
    const e = await refusal(guarded('https://api.businesscentral.dynamics.com/v2.0/'));
    expect(e.reason).toBe('bc-unreachable');
    expect(e.message).toContain('api.businesscentral.dynamics.com');
    expect(e.message).toContain('ENOTFOUND');
  });

  it('reports a name with no addresses as unreachable', async () => {
    const guarded = createGuardedFetch(production, { lookup: fakeLookup([]) });
    const e = await refusal(guarded('https://login.microsoftonline.com/x'));
    expect(e.reason).toBe('bc-unreachable');
  });

  it('stops before sending when the caller aborts during the lookup', async () => {
    const controller = new AbortController();
    const guarded = createGuardedFetch(production, {
      lookup: async () => {
        controller.abort(new Error('cancelled by caller'));
        return publicAnswer;
      },
      fetch: () => Promise.reject(new Error('must not be called')),
    });
    await expect(
      guarded('https://api.businesscentral.dynamics.com/', { signal: controller.signal }),
    ).rejects.toThrow('cancelled by caller');
  });

  it('never follows a redirect, even when the caller asks it to, and names where it pointed', async () => {
    const elsewhere = await startServer();
    const bc = await startServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${elsewhere.port}/stolen?token=abc` });
      res.end('moved');
    });
    const guarded = createGuardedFetch({
      allowedOrigins: [`http://127.0.0.1:${bc.port}`, `http://127.0.0.1:${elsewhere.port}`],
      allowLoopback: true,
    });
    const e = await refusal(guarded(`http://127.0.0.1:${bc.port}/v2.0/`, { redirect: 'follow' }));
    expect(e.reason).toBe('host-not-allowed');
    expect(e.message).toBe(
      `Business Central answered with a redirect to http://127.0.0.1:${elsewhere.port}; the hub does not follow redirects.`,
    );
    expect(e.details).toEqual({ host: `127.0.0.1:${bc.port}`, status: 302 });
    expect(bc.hits).toEqual(['GET /v2.0/']);
    expect(elsewhere.hits).toEqual([]);
  });

  it.each([301, 303, 307, 308])('refuses a %i redirect to cloud metadata', async (status) => {
    const bc = await startServer((_req, res) => {
      res.writeHead(status, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });
    const guarded = createGuardedFetch({
      allowedOrigins: [`http://127.0.0.1:${bc.port}`],
      allowLoopback: true,
    });
    const e = await refusal(guarded(`http://127.0.0.1:${bc.port}/`, { method: 'POST', body: '' }));
    expect(e.reason).toBe('host-not-allowed');
    expect(e.message).toContain('http://169.254.169.254');
  });

  it('refuses a 3xx without a location, and a relative location resolved against the request', async () => {
    let answer: { status: number; location?: string } = { status: 300 };
    const bc = await startServer((_req, res) => {
      res.writeHead(answer.status, answer.location ? { location: answer.location } : {});
      res.end();
    });
    const origin = `http://127.0.0.1:${bc.port}`;
    const guarded = createGuardedFetch({ allowedOrigins: [origin], allowLoopback: true });
    const bare = await refusal(guarded(`${origin}/`));
    expect(bare.message).toContain('another address (HTTP 300)');
    answer = { status: 302, location: '/login' };
    const relative = await refusal(guarded(`${origin}/`));
    expect(relative.message).toContain(`redirect to ${origin};`);
  });

  it('passes non-redirect errors through as responses for the caller to map', async () => {
    const bc = await startServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"BadRequest_NotFound","message":"nope"}}');
    });
    const origin = `http://127.0.0.1:${bc.port}`;
    const guarded = createGuardedFetch({ allowedOrigins: [origin], allowLoopback: true });
    const res = await guarded(`${origin}/`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'BadRequest_NotFound', message: 'nope' } });
  });
});
