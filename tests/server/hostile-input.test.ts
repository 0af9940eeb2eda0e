import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientDto } from '../../src/hub/api-types.js';
import { call, rawRequest, startTestApp, type TestApp } from './app-harness.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t.close();
});

const post = (path: string, body: string | Buffer, contentType = 'application/json') =>
  rawRequest(t.base, {
    method: 'POST',
    path,
    headers: {
      Host: new URL(t.base).host,
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body)),
    },
    body,
  });

const errorOf = (text: string) => JSON.parse(text) as { code: string; message: string };

async function clientCount(): Promise<number> {
  const res = await call<{ clients: ClientDto[] }>(t.base, 'GET', '/api/clients');
  return res.body.clients.length;
}

describe('hostile and malformed requests', () => {
  it('answers malformed JSON with 400 and saves nothing', async () => {
    const before = await clientCount();
    const res = await post('/api/clients', '{"name": "x", "url": ');
    expect(res.status).toBe(400);
    expect(errorOf(res.text)).toEqual({
      code: 'validation',
      message: 'The request body is not valid JSON.',
    });
    expect(await clientCount()).toBe(before);
  });

  it('answers a body over 64 KiB with 413', async () => {
    const huge = JSON.stringify({ name: 'x', url: 'y', notes: 'n'.repeat(200_000) });
    const res = await post('/api/clients', huge);
    expect(res.status).toBe(413);
    expect(errorOf(res.text).code).toBe('payload-too-large');
  });

  it('answers a chunked body that grows past the limit with 413', async () => {
    const res = await rawRequest(t.base, {
      method: 'PUT',
      path: '/api/views/dashboard',
      headers: {
        Host: new URL(t.base).host,
        'Content-Type': 'application/json',
        'Transfer-Encoding': 'chunked',
      },
      body: `{"text":"${'a'.repeat(100_000)}"}`,
    });
    expect(res.status).toBe(413);
  });

  it.each([
    '{"name":"x","url":"y","__proto__":{"isAdmin":true}}',
    '{"name":"x","url":"y","taxSettings":{"constructor":{"prototype":{"polluted":1}}}}',
    '{"scope":{"kind":"all","prototype":1}}',
  ])('refuses prototype-polluting keys: %s', async (body) => {
    const res = await post('/api/clients', body);
    expect(res.status).toBe(400);
    expect(errorOf(res.text).message).toMatch(
      /may not contain the key "(__proto__|constructor|prototype)"/,
    );
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
  ])('answers a body sent as %s with 415', async (type) => {
    const res = await post('/api/clients', '{"name":"x","url":"y"}', type);
    expect(res.status).toBe(415);
    expect(errorOf(res.text).code).toBe('unsupported-media-type');
  });

  it('answers a body that is not UTF-8 with 400', async () => {
    const res = await post('/api/clients/test', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    expect(res.status).toBe(400);
    expect(errorOf(res.text).message).toContain('UTF-8');
  });

  it('answers an empty body where one is needed with 400', async () => {
    const res = await post('/api/refresh', '');
    expect(res.status).toBe(400);
    expect(errorOf(res.text).message).toBe('This request needs a JSON body.');
  });

  it.each(['[]', '"text"', '42', 'null'])(
    'answers a JSON %s where an object is needed with 400',
    async (body) => {
      const res = await post('/api/clients', body);
      expect(res.status).toBe(400);
      expect(errorOf(res.text).code).toBe('validation');
    },
  );

  it('answers an unknown API route with a 404 JSON error', async () => {
    const res = await call<{ code: string; message: string }>(t.base, 'GET', '/api/no/such/thing');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      code: 'not-found',
      message: 'There is no GET /api/no/such/thing here.',
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a wrong method with a 405 JSON error and the allowed methods', async () => {
    const res = await call<{ code: string }>(t.base, 'DELETE', '/api/dashboard');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(res.body.code).toBe('method-not-allowed');
  });

  it('answers a request from a browser page that rebinds DNS to loopback with 403', async () => {
    const res = await rawRequest(t.base, {
      path: '/api/clients',
      headers: { Host: 'attacker.example' },
    });
    expect(res.status).toBe(403);
    expect(errorOf(res.text).code).toBe('forbidden');
    expect(res.text).not.toContain('Sample client');
  });

  it('answers a request forwarded by a tunnel with 403 in local mode', async () => {
    const res = await rawRequest(t.base, {
      path: '/api/dashboard',
      headers: { Host: new URL(t.base).host, 'X-Forwarded-For': '203.0.113.7' },
    });
    expect(res.status).toBe(403);
    expect(errorOf(res.text).message).toContain('proxy or tunnel');
  });

  it('does not send a stack trace or internals in any error', async () => {
    const res = await post('/api/clients', '{"name":' + '['.repeat(5000));
    expect(res.status).toBe(400);
    expect(res.text).not.toMatch(/\.ts:\d+|node_modules|SyntaxError/);
  });

  it('keeps answering normally after all of the above', async () => {
    const res = await call(t.base, 'GET', '/api/dashboard');
    expect(res.status).toBe(200);
  });
});
