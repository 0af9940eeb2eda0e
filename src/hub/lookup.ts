/**
 * Finding one of the accountant's companies by the ids a caller sent. Ids come from URLs and card
 * actions, so they are checked at run time; any miss, including another accountant's ids, is
 * the same `not-found`.
 */
import { AppError, err, ok } from '../domain/errors.js';
import type { Result } from '../domain/errors.js';
import type { AccountantId, ClientId, CompanyId } from '../domain/ids.js';
import type { Client, Company } from '../domain/model.js';
import { storeOf } from './context.js';
import type { HubContext } from './context.js';

export async function findCompany(
  ctx: HubContext,
  acc: AccountantId,
  clientId: ClientId,
  companyId: CompanyId,
): Promise<Result<{ client: Client; company: Company }>> {
  const notFound = err(new AppError('not-found', 'This company does not exist.'));
  if (typeof clientId !== 'string' || typeof companyId !== 'string') return notFound;
  const store = storeOf(ctx, acc);
  const client = await store.getClient(clientId);
  if (!client) return notFound;
  const wanted = companyId.toLowerCase();
  const company = (await store.listCompanies(client.id)).find((c) => c.id === wanted);
  if (!company) return notFound;
  return ok({ client, company });
}
