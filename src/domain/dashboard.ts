/**
 * Dashboard row rules: how fresh a company's numbers are, and why, in words an accountant
 * understands. A failed refresh keeps the last good numbers, so "stale" (old numbers shown) and
 * "failed" (nothing to show) are different states.
 */
import { assertNever } from './errors.js';
import type { ErrorReason } from './errors.js';
import type { CompanySnapshot } from './model.js';

/** fresh: refreshed recently without error. stale: old, or the last attempt failed but older numbers exist. failed: no numbers at all. never: not refreshed yet. */
export type RowStatus = 'fresh' | 'stale' | 'failed' | 'never';

/** Numbers older than this are shown as stale (a working day's refreshes). */
export const defaultStaleAfterMinutes = 24 * 60;

/**
 * What went wrong, for the accountant: what happened and what to do about it. Exhaustive over
 * {@link ErrorReason} so a new reason cannot reach the screen without a sentence.
 */
export function describeFailure(reason: ErrorReason): string {
  switch (reason) {
    case 'bc-tenant-not-found':
      return 'Business Central could not find this tenant or environment. Check the Client URL.';
    case 'bc-company-not-found':
      return 'The company no longer exists in Business Central, or it was renamed. Edit the client to reload its companies.';
    case 'bc-access-denied':
      return 'Business Central refused access. Sign in again, or ask the client to check your user and permissions.';
    case 'bc-throttled':
      return 'Business Central is limiting requests right now. Try again in a few minutes.';
    case 'bc-unavailable':
      return 'Business Central is temporarily unavailable. Try again later.';
    case 'bc-timeout':
      return 'Business Central took too long to answer. Try again later.';
    case 'bc-unreachable':
      return 'Business Central could not be reached. Check the network and try again.';
    case 'bc-bad-response':
      return 'Business Central sent an answer the hub could not read.';
    case 'bc-rejected':
      return 'Business Central rejected the request.';
    case 'host-not-allowed':
      return 'The Client URL points at a host the hub is not allowed to call.';
    case 'validation':
      return 'The request was not valid.';
    case 'not-found':
      return 'Not found.';
    case 'conflict':
      return 'Someone else changed this at the same time. Try again.';
    case 'unauthenticated':
      return 'Sign in again.';
    case 'forbidden':
      return 'You do not have access to this.';
    case 'rate-limited':
      return 'Too many requests. Try again in a minute.';
    case 'payload-too-large':
      return 'The request was too large.';
    case 'storage':
      return 'The hub could not save or read its data.';
    case 'config':
      return 'The hub is not configured for this. Ask your administrator.';
    case 'internal':
      return 'Something went wrong in the hub.';
    default:
      return assertNever(reason);
  }
}

function describeAge(minutes: number): string {
  if (minutes < 60) return `${Math.max(1, Math.floor(minutes))} minute(s) ago`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} hour(s) ago`;
  return `${Math.floor(minutes / (24 * 60))} day(s) ago`;
}

/**
 * The status of a dashboard row and, unless it is fresh, the reason in words:
 * - never: no snapshot, or one with neither numbers nor an error;
 * - failed: the last attempt failed and there are no earlier numbers;
 * - stale: the last attempt failed but earlier numbers are shown, or the numbers are older than
 *   `staleAfterMinutes`;
 * - fresh: otherwise.
 */
export function rowStatusOf(
  snapshot: CompanySnapshot | null,
  now: Date,
  staleAfterMinutes: number = defaultStaleAfterMinutes,
): { status: RowStatus; statusReason: string | null } {
  if (snapshot === null || (snapshot.kpis === null && snapshot.lastError === null)) {
    return { status: 'never', statusReason: 'Not refreshed yet.' };
  }
  const ageMinutes =
    snapshot.refreshedAt === null
      ? Number.POSITIVE_INFINITY
      : (now.getTime() - Date.parse(snapshot.refreshedAt)) / 60_000;
  if (snapshot.lastError !== null) {
    if (snapshot.kpis === null) {
      return { status: 'failed', statusReason: `Refresh failed: ${snapshot.lastError.message}` };
    }
    const since = Number.isFinite(ageMinutes) ? ` from ${describeAge(ageMinutes)}` : '';
    return {
      status: 'stale',
      statusReason: `The last refresh failed: ${snapshot.lastError.message} Showing the numbers${since}.`,
    };
  }
  if (!(ageMinutes <= staleAfterMinutes)) {
    return {
      status: 'stale',
      statusReason: Number.isFinite(ageMinutes)
        ? `Last refreshed ${describeAge(ageMinutes)}.`
        : 'The refresh time is unknown.',
    };
  }
  return { status: 'fresh', statusReason: null };
}
