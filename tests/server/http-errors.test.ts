import { describe, expect, it } from '@jest/globals';
import { AppError, type ErrorReason } from '../../src/domain/errors.js';
import { errorResponseOf, httpStatusOf, internalErrorMessage } from '../../server/http-errors.js';

const table: [ErrorReason, number][] = [
  ['validation', 400],
  ['unauthenticated', 401],
  ['forbidden', 403],
  ['not-found', 404],
  ['conflict', 409],
  ['payload-too-large', 413],
  ['rate-limited', 429],
  ['bc-tenant-not-found', 422],
  ['bc-company-not-found', 422],
  ['host-not-allowed', 422],
  ['bc-access-denied', 502],
  ['bc-unavailable', 502],
  ['bc-unreachable', 502],
  ['bc-bad-response', 502],
  ['bc-rejected', 502],
  ['bc-throttled', 503],
  ['bc-timeout', 504],
  ['storage', 500],
  ['config', 500],
  ['internal', 500],
];

describe('httpStatusOf', () => {
  it.each(table)('maps %s to %i', (reason, status) => {
    expect(httpStatusOf(reason)).toBe(status);
  });
});

describe('errorResponseOf', () => {
  it.each(table.filter(([, s]) => s < 500))(
    'passes the message of a %s error to the caller',
    (reason, status) => {
      const response = errorResponseOf(new AppError(reason, 'Readable reason.'));
      expect(response).toEqual({ status, body: { code: reason, message: 'Readable reason.' } });
    },
  );

  it.each(['storage', 'config', 'internal'] as const)(
    'hides the message of a %s error behind a generic one',
    (reason) => {
      const response = errorResponseOf(
        new AppError(reason, 'ENOENT /home/someone/data/registry.json at Object.open'),
      );
      expect(response.body).toEqual({ code: reason, message: internalErrorMessage });
      expect(JSON.stringify(response)).not.toContain('registry.json');
    },
  );
});
