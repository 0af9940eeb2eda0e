/**
 * Field rules for a client as the accountant types it in Manage Clients. Input arrives from JSON
 * at the REST edge and from chat, so every value is checked at run time, whatever its static type.
 */
import { AppError, err, ok } from '../domain/errors.js';
import type { Result } from '../domain/errors.js';
import type { TaxSettings } from '../domain/model.js';
import { isValidTaxSettings, maxDueDaysAfterPeriodEnd } from '../domain/taxes.js';

export const clientFieldLimits = {
  name: 100,
  contact: 200,
  notes: 2_000,
  url: 2_048,
  clientSecret: 1_024,
} as const;

/** C0 and C1 control characters: they break cards, spreadsheets and logs, and hide text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Notes are multi-line: line breaks and tabs are allowed there, other controls are not. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_EXCEPT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalid(field: string, message: string): Result<never> {
  return err(new AppError('validation', message, { field }));
}

function checkText(
  field: 'name' | 'contact' | 'notes',
  label: string,
  value: unknown,
  required: boolean,
): Result<string> {
  if (typeof value !== 'string') return invalid(field, `${label} must be text.`);
  const trimmed = value.trim();
  if (required && trimmed.length === 0) return invalid(field, `${label} is required.`);
  const max = clientFieldLimits[field];
  if ([...trimmed].length > max) {
    return invalid(field, `${label} can be at most ${max} characters.`);
  }
  const pattern = field === 'notes' ? CONTROL_EXCEPT_LINE_BREAKS : CONTROL;
  if (pattern.test(trimmed)) return invalid(field, `${label} contains control characters.`);
  return ok(trimmed);
}

export interface CheckedClientFields {
  readonly name?: string;
  readonly contact?: string;
  readonly notes?: string;
  readonly taxSettings?: TaxSettings;
}

/**
 * Checks the descriptive fields present in `input` (all optional except `name` when
 * `requireName`): name 1–100 characters after trimming, contact ≤ 200, notes ≤ 2,000, no control
 * characters (notes may contain line breaks), and usable tax settings.
 */
export function checkClientFields(
  input: Readonly<Record<string, unknown>>,
  requireName: boolean,
): Result<CheckedClientFields> {
  const out: {
    name?: string;
    contact?: string;
    notes?: string;
    taxSettings?: TaxSettings;
  } = {};
  if (requireName || input['name'] !== undefined) {
    const name = checkText('name', 'Client name', input['name'], true);
    if (!name.ok) return name;
    out.name = name.value;
  }
  if (input['contact'] !== undefined) {
    const contact = checkText('contact', 'Contact', input['contact'], false);
    if (!contact.ok) return contact;
    out.contact = contact.value;
  }
  if (input['notes'] !== undefined) {
    const notes = checkText('notes', 'Notes', input['notes'], false);
    if (!notes.ok) return notes;
    out.notes = notes.value;
  }
  if (input['taxSettings'] !== undefined) {
    const tax = input['taxSettings'];
    if (!isValidTaxSettings(tax)) {
      return invalid(
        'taxSettings',
        `Tax settings need a frequency (monthly, quarterly or yearly) and a whole number of days 0–${maxDueDaysAfterPeriodEnd} after the period ends.`,
      );
    }
    out.taxSettings = {
      frequency: tax.frequency,
      dueDaysAfterPeriodEnd: tax.dueDaysAfterPeriodEnd,
    };
  }
  return ok(out);
}

/** Checks a Client URL's basic shape before it is parsed: text, not empty, not huge. */
export function checkUrlText(value: unknown): Result<string> {
  if (typeof value !== 'string') return invalid('url', 'The Client URL must be text.');
  const trimmed = value.trim();
  if (trimmed.length === 0) return invalid('url', 'The Client URL is required.');
  if (trimmed.length > clientFieldLimits.url) {
    return invalid('url', `The Client URL can be at most ${clientFieldLimits.url} characters.`);
  }
  return ok(trimmed);
}

/** Checks app-only credentials: the app (client) id is a GUID, the secret non-empty text. */
export function checkAppCredentials(
  value: unknown,
): Result<{ appClientId: string; clientSecret: string }> {
  if (typeof value !== 'object' || value === null) {
    return invalid('appCredentials', 'App credentials need an app (client) id and a secret.');
  }
  const v = value as Record<string, unknown>;
  const id = v['appClientId'];
  const secret = v['clientSecret'];
  if (typeof id !== 'string' || !GUID.test(id.trim())) {
    return invalid('appCredentials', 'The app (client) id must be a GUID.');
  }
  if (typeof secret !== 'string' || secret.length === 0) {
    return invalid('appCredentials', 'The client secret is required.');
  }
  if (secret.length > clientFieldLimits.clientSecret || CONTROL.test(secret)) {
    return invalid('appCredentials', 'The client secret is not valid.');
  }
  return ok({ appClientId: id.trim().toLowerCase(), clientSecret: secret });
}
