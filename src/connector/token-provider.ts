/**
 * Where the connector gets a bearer token for a client's BC. One provider per connection mode,
 * composed by `tokenProviderFor`. Tokens never reach a log line.
 */
import type { Result } from '../domain/errors.js';
import type { EnvironmentTarget } from './tenant-connector.js';

export interface TokenProvider {
  /**
   * A bearer token for `https://api.businesscentral.dynamics.com/.default` in the target's tenant,
   * or `null` when the target needs none (sample tenant). Errors carry `bc-access-denied` with a
   * message that tells the accountant what to do (sign in again, ask the client for consent).
   */
  getToken(target: EnvironmentTarget, signal?: AbortSignal): Promise<Result<string | null>>;
}
