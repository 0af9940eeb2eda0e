/**
 * Reading a request body as JSON, defensively: a size limit enforced while streaming (not after),
 * a Content-Type check, strict UTF-8, and a refusal of the keys that pollute prototypes when a
 * parsed object is later merged or spread (`__proto__`, `constructor`, `prototype`).
 */
import type { IncomingMessage } from 'node:http';
import type { ApiErrorBody } from './http-errors.js';

/** An error response decided at the HTTP edge. */
export interface ApiProblem {
  readonly status: number;
  readonly body: ApiErrorBody;
}

export const defaultBodyLimitBytes = 64 * 1024;

/**
 * Beyond this many bytes an oversized body is no longer drained but the connection is dropped:
 * draining lets an ordinary client read our 413, dropping bounds what a hostile one can make us read.
 */
const maxDrainBytes = 8 * 1024 * 1024;

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

const problem = (status: number, code: ApiErrorBody['code'], message: string): ApiProblem => ({
  status,
  body: { code, message },
});

/** True for `application/json` and `application/*+json`, with an optional UTF-8 charset. */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [mediaType = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (mediaType !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) {
    return false;
  }
  return params.every((p) => !p.startsWith('charset=') || /^charset="?utf-8"?$/.test(p));
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** Reads the raw body up to `limitBytes`; `null` when it is larger (the rest is drained or dropped). */
async function readLimited(req: IncomingMessage, limitBytes: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > maxDrainBytes) {
    req.socket.destroy();
    return null;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  let tooLarge = declared > limitBytes;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limitBytes) tooLarge = true;
    if (received > maxDrainBytes) {
      req.socket.destroy();
      return null;
    }
    if (!tooLarge) chunks.push(chunk);
  }
  return tooLarge ? null : Buffer.concat(chunks);
}

/**
 * Reads the body as JSON. `required: false` lets a route accept an empty body (→ `undefined`).
 * Errors: 415 wrong Content-Type, 413 over the limit, 400 not UTF-8, not JSON, or a forbidden key.
 */
export async function readJsonBody(
  req: IncomingMessage,
  options: { limitBytes: number; required: boolean },
): Promise<{ ok: true; value: unknown } | { ok: false; problem: ApiProblem }> {
  if (!hasBody(req)) {
    return options.required
      ? { ok: false, problem: problem(400, 'validation', 'This request needs a JSON body.') }
      : { ok: true, value: undefined };
  }
  const contentTypeOk = isJsonContentType(req.headers['content-type']);
  const raw = await readLimited(req, options.limitBytes);
  if (raw === null) {
    return {
      ok: false,
      problem: problem(
        413,
        'payload-too-large',
        `The request body is larger than ${options.limitBytes} bytes.`,
      ),
    };
  }
  if (!contentTypeOk) {
    return {
      ok: false,
      problem: problem(
        415,
        'unsupported-media-type',
        'Send the request body as JSON with "Content-Type: application/json".',
      ),
    };
  }
  if (raw.length === 0) {
    return options.required
      ? { ok: false, problem: problem(400, 'validation', 'This request needs a JSON body.') }
      : { ok: true, value: undefined };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return {
      ok: false,
      problem: problem(400, 'validation', 'The request body is not UTF-8 text.'),
    };
  }
  const found: { key: string | null } = { key: null };
  let value: unknown;
  try {
    value = JSON.parse(text, (key: string, v: unknown) => {
      if (forbiddenKeys.has(key)) found.key = key;
      return v;
    });
  } catch {
    return {
      ok: false,
      problem: problem(400, 'validation', 'The request body is not valid JSON.'),
    };
  }
  if (found.key !== null) {
    return {
      ok: false,
      problem: problem(
        400,
        'validation',
        `The request body may not contain the key "${found.key}".`,
      ),
    };
  }
  return { ok: true, value };
}
