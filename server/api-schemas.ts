/**
 * The shapes the REST API accepts, checked with zod at the edge before the hub sees them. The
 * schemas check types, enumerations and generous size caps; the hub owns the business rules
 * (name lengths, URL forms, duplicates) so there is one place that words those errors.
 */
import { z } from 'zod';
import { allDashboardColumns, financialStatementKinds } from '../src/domain/model.js';
import type { DashboardColumn, FinancialStatementKind } from '../src/domain/model.js';
import { isIsoDate } from '../src/domain/dates.js';
import type { ApiProblem } from './json-body.js';

/** Ids as they appear in URLs and bodies: short and free of anything a path or a log could misread. */
const idText = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._~-]+$/, 'is not a valid id');

const taskIdText = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'is not a valid task id')
  .transform(Number);

const isoDate = z.string().refine(isIsoDate, 'must be a date written YYYY-MM-DD');

export const taxSettingsSchema = z.strictObject({
  frequency: z.enum(['monthly', 'quarterly', 'yearly']),
  dueDaysAfterPeriodEnd: z.number().int().min(0).max(366),
});

export const clientInputSchema = z.strictObject({
  name: z.string().max(1_000),
  url: z.string().max(4_096),
  contact: z.string().max(2_000).optional(),
  notes: z.string().max(20_000).optional(),
  taxSettings: taxSettingsSchema.optional(),
  appCredentials: z
    .strictObject({
      appClientId: z.string().min(1).max(200),
      clientSecret: z.string().min(1).max(2_000),
    })
    .optional(),
});

export const clientPatchSchema = clientInputSchema.partial();

export const testClientUrlSchema = z.strictObject({ url: z.string().max(4_096) });

export const invitationSchema = z.strictObject({
  link: z.string().max(8_192),
  name: z.string().max(1_000).optional(),
});

const companyRef = z.strictObject({ clientId: idText, companyId: idText });

export const refreshRequestSchema = z.strictObject({
  scope: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('all') }),
    z.strictObject({ kind: z.literal('client'), clientId: idText }),
    z.strictObject({
      kind: z.literal('companies'),
      companies: z.array(companyRef).min(1).max(10_000),
    }),
  ]),
});

const columnSchema = z.enum(allDashboardColumns as [DashboardColumn, ...DashboardColumn[]]);

export const dashboardViewSchema = z.strictObject({
  columns: z.array(columnSchema).max(allDashboardColumns.length * 2),
  text: z.string().max(500),
  filters: z.strictObject({
    hasOverdueInvoices: z.boolean().optional(),
    refreshFailed: z.boolean().optional(),
    clientId: idText.nullable().optional(),
  }),
  sort: z.strictObject({
    column: z.union([columnSchema, z.enum(['clientName', 'companyName'])]),
    direction: z.enum(['asc', 'desc']),
  }),
});

export const clientParamsSchema = z.object({ clientId: idText });
export const companyParamsSchema = z.object({ clientId: idText, companyId: idText });
export const jobParamsSchema = z.object({ jobId: idText });
export const taskParamsSchema = z.object({
  clientId: idText,
  companyId: idText,
  taskId: taskIdText,
});
export const reportParamsSchema = z.object({
  clientId: idText,
  companyId: idText,
  kind: z.enum(financialStatementKinds as [FinancialStatementKind, ...FinancialStatementKind[]]),
});

export const reportQuerySchema = z
  .object({ from: isoDate.optional(), to: isoDate.optional() })
  .refine((q) => (q.from === undefined) === (q.to === undefined), {
    message: 'give both from and to, or neither',
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'from must not be after to',
  });

export const taskQuerySchema = z.object({
  sort: z.enum(['dueDate', 'client', 'priority']).optional(),
  direction: z.enum(['asc', 'desc']).optional(),
  clientId: idText.optional(),
  due: z.enum(['overdue', 'today', 'this-week', 'all']).optional(),
});

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.');
  const where = path.replace(/\.\[/g, '[');
  let what: string;
  switch (issue.code) {
    case 'invalid_type':
      what = issue.message.endsWith('received undefined')
        ? 'is required'
        : `must be ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}`;
      break;
    case 'too_big':
      what =
        issue.origin === 'string'
          ? `is too long (at most ${issue.maximum} characters)`
          : issue.origin === 'array'
            ? `has too many items (at most ${issue.maximum})`
            : `must be at most ${issue.maximum}`;
      break;
    case 'too_small':
      what =
        issue.origin === 'string'
          ? 'must not be empty'
          : issue.origin === 'array'
            ? `needs at least ${issue.minimum} item(s)`
            : `must be at least ${issue.minimum}`;
      break;
    case 'invalid_value':
      what = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'unrecognized_keys':
      what = `has unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
      break;
    case 'invalid_union':
      what =
        'options' in issue && Array.isArray(issue.options)
          ? `must be one of ${issue.options.map((v) => JSON.stringify(v)).join(', ')}`
          : 'has an unexpected form';
      break;
    default:
      what = issue.message.replace(/^Invalid input: /, '');
  }
  return where ? `${where} ${what}` : what.replace(/^has/, 'the request has');
}

/** A 400 problem that lists what is wrong, field by field, in words. */
export function validationProblem(error: z.ZodError, what: string): ApiProblem {
  const issues = error.issues.slice(0, 5).map(describeIssue);
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : '';
  return {
    status: 400,
    body: { code: 'validation', message: `Invalid ${what}: ${issues.join('; ')}${more}.` },
  };
}

/** Parses `value` with `schema`; a failure becomes a 400 problem naming `what` was invalid. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): { ok: true; value: z.output<S> } | { ok: false; problem: ApiProblem } {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, problem: validationProblem(parsed.error, what) };
}
