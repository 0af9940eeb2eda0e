import { describe, expect, test } from '@jest/globals';
import {
  bcErrorTable,
  findBcErrorRow,
  mapBcFailure,
  type BcFailure,
} from '../../src/connector/bc-error-map.js';
import type { ErrorReason } from '../../src/domain/errors.js';

/** One real-looking failure per row of the table, with the reason it must map to. */
const cases: { row: string; failure: BcFailure; reason: ErrorReason }[] = [
  {
    row: 'host not allowed',
    failure: { kind: 'host-not-allowed', host: '169.254.169.254' },
    reason: 'host-not-allowed',
  },
  {
    row: 'company not found',
    failure: {
      kind: 'http',
      status: 400,
      code: 'Internal_CompanyNotFound',
      message: "Can't process the request because the default company can't be found.",
    },
    reason: 'bc-company-not-found',
  },
  {
    row: '404 tenant or environment unknown',
    failure: {
      kind: 'http',
      status: 404,
      code: 'Internal_TenantUnavailable',
      message: "The tenant 'msca1a7355t05263373' is not accessible",
    },
    reason: 'bc-tenant-not-found',
  },
  {
    row: '401 sign-in rejected',
    failure: {
      kind: 'http',
      status: 401,
      code: 'Authentication_InvalidCredentials',
      message: 'The server has rejected the client credentials.',
    },
    reason: 'bc-access-denied',
  },
  {
    row: '403 no permission',
    failure: {
      kind: 'http',
      status: 403,
      code: 'Authorization_NotAllowed',
      message: 'No permission',
    },
    reason: 'bc-access-denied',
  },
  {
    row: '404 resource missing',
    failure: {
      kind: 'http',
      status: 404,
      code: 'BadRequest_ResourceNotFound',
      message: "Resource not found for the segment 'AccountantPortalUserTasks'.",
    },
    reason: 'bc-rejected',
  },
  { row: '408 operation timeout', failure: { kind: 'http', status: 408 }, reason: 'bc-timeout' },
  {
    row: '409 changed by another user',
    failure: {
      kind: 'http',
      status: 409,
      code: 'Request_EntityChanged',
      message: 'Another user has already changed the record.',
    },
    reason: 'bc-rejected',
  },
  {
    row: '429 too many requests',
    failure: {
      kind: 'http',
      status: 429,
      code: 'Application_TooManyRequests',
      message: 'Too many requests reached. Actual (101). Maximum (100).',
      retryAfterMs: 30_000,
    },
    reason: 'bc-throttled',
  },
  {
    row: '502/503/504 service unavailable',
    failure: { kind: 'http', status: 503 },
    reason: 'bc-unavailable',
  },
  {
    row: 'other 5xx',
    failure: {
      kind: 'http',
      status: 500,
      code: 'Internal_ServerError',
      message: 'Cannot establish a connection to the SQL Server/Database.',
    },
    reason: 'bc-unavailable',
  },
  {
    row: '400 and other 4xx rejected',
    failure: {
      kind: 'http',
      status: 400,
      code: 'BadRequest_RequiredParamNotProvided',
      message:
        "Field 'taxable' must not be blank or empty.  CorrelationId:  4e2f1b8a-0000-4000-8000-000000000001.",
    },
    reason: 'bc-rejected',
  },
  {
    row: 'client-side timeout',
    failure: { kind: 'timeout', timeoutMs: 30_000 },
    reason: 'bc-timeout',
  },
  { row: 'cancelled', failure: { kind: 'cancelled' }, reason: 'bc-timeout' },
  {
    row: 'network failure',
    failure: {
      kind: 'network',
      cause: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
    },
    reason: 'bc-unreachable',
  },
  {
    row: 'unreadable response',
    failure: { kind: 'bad-response', detail: 'response is not JSON' },
    reason: 'bc-bad-response',
  },
  { row: 'unexpected status', failure: { kind: 'http', status: 302 }, reason: 'bc-bad-response' },
];

describe('the BC error table', () => {
  test('every row of the table has a case below', () => {
    expect(cases.map((c) => c.row).sort()).toEqual(bcErrorTable.map((r) => r.name).sort());
  });

  test.each(cases)('row "$row" maps to $reason', ({ row, failure, reason }) => {
    expect(findBcErrorRow(failure).name).toBe(row);
    const error = mapBcFailure(failure, { tenant: 'contoso', environment: 'production' });
    expect(error.reason).toBe(reason);
    expect(error.message.length).toBeGreaterThan(20);
    expect(error.details).toMatchObject({ tenant: 'contoso', environment: 'production' });
  });

  test('other 502 and 504 answers map like 503', () => {
    expect(mapBcFailure({ kind: 'http', status: 502 }).reason).toBe('bc-unavailable');
    expect(mapBcFailure({ kind: 'http', status: 504 }).reason).toBe('bc-unavailable');
  });

  test('an unknown environment (404 without a tenant code but naming the environment) is tenant-not-found', () => {
    const e = mapBcFailure({
      kind: 'http',
      status: 404,
      code: 'EnvironmentNotFound',
      message: 'x',
    });
    expect(e.reason).toBe('bc-tenant-not-found');
  });

  test('the accountant-facing message speaks of the client, not of HTTP', () => {
    const e = mapBcFailure({
      kind: 'http',
      status: 401,
      code: 'Authentication_InvalidCredentials',
      message: 'x',
    });
    expect(e.message).toMatch(/^Business Central rejected the sign-in for this client/);
    expect(e.message).not.toMatch(/401/);
  });

  test('BC code, message and Retry-After travel in details', () => {
    const e = mapBcFailure({
      kind: 'http',
      status: 429,
      code: 'Application_TooManyRequests',
      message: 'Too many requests',
      retryAfterMs: 2500,
    });
    expect(e.details).toMatchObject({
      status: 429,
      bcCode: 'Application_TooManyRequests',
      bcMessage: 'Too many requests',
      retryAfterSeconds: 3,
    });
  });

  test('a rejected request carries BC’s explanation without the correlation id', () => {
    const e = mapBcFailure(cases.find((c) => c.row === '400 and other 4xx rejected')!.failure);
    expect(e.message).toContain("Field 'taxable' must not be blank or empty.");
    expect(e.message).not.toContain('CorrelationId');
  });

  test('a very long BC message is cut short in details', () => {
    const e = mapBcFailure({
      kind: 'http',
      status: 400,
      code: 'BadRequest',
      message: 'x'.repeat(10_000),
    });
    expect(String(e.details.bcMessage).length).toBe(500);
  });

  test('a network failure keeps only the error code of its cause', () => {
    const e = mapBcFailure(cases.find((c) => c.row === 'network failure')!.failure);
    expect(e.details.cause).toBe('ECONNREFUSED');
  });
});
