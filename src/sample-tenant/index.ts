/**
 * The embedded sample tenant: a loopback server that speaks Business Central's API v2.0 and
 * ODataV4 endpoints over generated sample companies. The default client on first run, and the
 * target of tests and benchmarks.
 */
export {
  startSampleTenant,
  maxPageSize,
  type SampleFault,
  type SampleTenant,
  type SampleTenantOptions,
  type SampleTenantStats,
} from './server.js';
export {
  benchmarkFleet,
  defaultSampleFleet,
  defaultSampleTenantId,
  currencyProfiles,
  type GeneratedCompany,
  type GeneratedEnvironment,
  type GeneratedTenant,
  type SampleCurrency,
  type SampleFleetSpec,
} from './fleet.js';
export type { GeneratedFleet } from './store.js';
export type { SampleCues } from './reports.js';
export type { CompanyBooks, UserTaskRecord } from './books.js';
export { bcOnlineLimits, type LimitSettings } from './limits.js';
