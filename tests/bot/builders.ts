/** Small builders with defaults for the hub DTOs the cards take. */
import { asClientId, asCompanyId, asUserTaskId } from '../../src/domain/ids.js';
import type { ClientDto, DashboardRow, InvoiceRow, TaskRow } from '../../src/hub/api-types.js';
import type { CardOwner } from '../../bot/cards/common.js';

export const owner: CardOwner = {
  accountantId: 'tenant:alice',
  displayName: 'Alice Accountant',
  shared: false,
};
export const sharedOwner: CardOwner = { ...owner, shared: true };

export function taskRow(n: number, overrides: Partial<TaskRow> = {}): TaskRow {
  return {
    clientId: asClientId(`client-${n % 3}`),
    clientName: `Client ${n % 3}`,
    companyId: asCompanyId(`company-${n % 3}`),
    companyName: `Company ${n % 3}`,
    id: asUserTaskId(n),
    title: `Task number ${n}`,
    dueAt: '2026-03-01T09:00:00Z',
    priority: 'normal',
    percentComplete: 0,
    createdBy: 'ADMIN',
    isOverdue: true,
    daysOverdue: 9,
    link: `https://businesscentral.dynamics.com/t/production?company=C&page=1171&bookmark=${n}`,
    ...overrides,
  };
}

export function invoiceRow(n: number, overrides: Partial<InvoiceRow> = {}): InvoiceRow {
  return {
    id: `inv-${n}`,
    number: `PS-INV${100000 + n}`,
    partnerNumber: `C${n}`,
    partnerName: `Customer ${n}`,
    dueDate: '2026-02-01',
    postingDate: '2026-01-02',
    amount: { minor: 123_456 + n, currency: 'EUR' },
    amountKind: 'remaining',
    status: 'open',
    daysOverdue: 37,
    link: `https://businesscentral.dynamics.com/t/production?page=132&invoice=${n}`,
    ...overrides,
  };
}

export function dashboardRow(n: number, overrides: Partial<DashboardRow> = {}): DashboardRow {
  return {
    clientId: asClientId(`client-${n}`),
    clientName: `Client ${n}`,
    companyId: asCompanyId(`company-${n}`),
    companyName: `Company ${n}`,
    isSample: false,
    status: 'fresh',
    statusReason: null,
    errorReason: null,
    refreshedAt: '2026-03-10T06:30:00Z',
    currency: 'USD',
    taxesDue: {
      amount: { minor: 500_00, currency: 'USD' },
      dueDate: '2026-03-20',
      periodStart: '2026-01-01',
      periodEnd: '2026-02-28',
    },
    openSalesDocuments: 4,
    purchaseInvoicesDueNextWeek: 2,
    overdueSalesInvoiceAmount: { minor: 1_000_00, currency: 'USD' },
    overduePurchaseInvoiceAmount: { minor: 250_00, currency: 'USD' },
    cashAccountsBalance: { minor: 9_000_00, currency: 'USD' },
    tasksAssignedToMe: 3,
    overdueTasks: 1,
    goToClientUrl: 'https://businesscentral.dynamics.com/t/production',
    ...overrides,
  };
}

export function clientDto(n: number, overrides: Partial<ClientDto> = {}): ClientDto {
  return {
    id: asClientId(`client-${n}`),
    name: `Client ${n}`,
    url: `https://businesscentral.dynamics.com/tenant-${n}/production`,
    target: { tenant: `tenant-${n}`, environment: 'production' },
    contact: '',
    notes: '',
    connection: { kind: 'delegated' },
    taxSettings: { frequency: 'quarterly', dueDaysAfterPeriodEnd: 30 },
    isSample: false,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    companies: [
      { id: asCompanyId(`company-${n}`), name: `Company ${n}`, displayName: `Company ${n}` },
    ],
    ...overrides,
  };
}
