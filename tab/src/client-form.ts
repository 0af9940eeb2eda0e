/**
 * The client form's checks, run as the accountant types. They catch what can be known without
 * the server (a missing name, an address that is not a web address); whether the tenant exists
 * and answers is for "Test Client URL" and the server to say.
 */
import type { ClientDto, ClientInput, TaxSettings } from '../../src/hub/api-types.js';

export type Access = 'delegated' | 'app';

export interface ClientFormValues {
  readonly name: string;
  readonly url: string;
  readonly contact: string;
  readonly notes: string;
  readonly access: Access;
  readonly appClientId: string;
  readonly clientSecret: string;
  readonly taxFrequency: TaxSettings['frequency'];
  readonly taxDueDays: string;
}

export type ClientFormField = keyof ClientFormValues;
export type ClientFormErrors = Partial<Record<ClientFormField, string>>;

export const maxNameLength = 100;
export const maxNotesLength = 2000;

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

export function emptyClientForm(): ClientFormValues {
  return {
    name: '',
    url: '',
    contact: '',
    notes: '',
    access: 'delegated',
    appClientId: '',
    clientSecret: '',
    taxFrequency: 'quarterly',
    taxDueDays: '30',
  };
}

export function clientFormFrom(client: ClientDto): ClientFormValues {
  return {
    name: client.name,
    url: client.url,
    contact: client.contact,
    notes: client.notes,
    access: client.connection.kind === 'app' ? 'app' : 'delegated',
    appClientId: client.connection.kind === 'app' ? client.connection.appClientId : '',
    clientSecret: '',
    taxFrequency: client.taxSettings.frequency,
    taxDueDays: String(client.taxSettings.dueDaysAfterPeriodEnd),
  };
}

/** What is wrong with a Client URL's form, or null when it looks like a web address. */
export function clientUrlProblem(raw: string): string | null {
  const url = raw.trim();
  if (!url) return 'Enter the Client URL: the address of the client’s Business Central.';
  if (/\s/.test(url)) return 'A web address cannot contain spaces.';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Enter a full web address starting with https://, for example https://businesscentral.dynamics.com/{tenant}/{environment}.';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return 'The Client URL must start with https://.';
  }
  if (parsed.protocol === 'http:' && !loopbackHosts.has(parsed.hostname)) {
    return 'Use https://: Business Central is only reached over a secure connection.';
  }
  if (parsed.username || parsed.password) {
    return 'Leave user names and passwords out of the address.';
  }
  return null;
}

/** Every problem of the form, by field; empty when it can be saved. */
export function validateClientForm(
  v: ClientFormValues,
  context: { readonly isNew: boolean; readonly hadSecret: boolean; readonly isSample: boolean },
): ClientFormErrors {
  const errors: ClientFormErrors = {};
  const name = v.name.trim();
  if (!name) errors.name = 'Enter the client’s name.';
  else if (name.length > maxNameLength)
    errors.name = `Keep the name under ${maxNameLength} characters.`;
  const urlProblem = clientUrlProblem(v.url);
  if (urlProblem) errors.url = urlProblem;
  if (v.notes.length > maxNotesLength)
    errors.notes = `Keep notes under ${maxNotesLength} characters.`;
  if (!context.isSample && v.access === 'app') {
    if (!guid.test(v.appClientId.trim())) {
      errors.appClientId =
        'Enter the application (client) ID: a GUID like 00000000-0000-0000-0000-000000000000.';
    }
    if (!v.clientSecret && (context.isNew || !context.hadSecret)) {
      errors.clientSecret = 'Enter the client secret of that application.';
    }
  }
  const days = Number(v.taxDueDays);
  if (!/^\d+$/.test(v.taxDueDays.trim()) || days > 365) {
    errors.taxDueDays = 'Enter a whole number of days between 0 and 365.';
  }
  return errors;
}

/** The request body for creating (or patching) the client. */
export function clientInputFrom(
  v: ClientFormValues,
  context: { readonly isSample: boolean },
): ClientInput {
  const input: {
    -readonly [K in keyof ClientInput]: ClientInput[K];
  } = {
    name: v.name.trim(),
    url: v.url.trim(),
    contact: v.contact.trim(),
    notes: v.notes,
    taxSettings: { frequency: v.taxFrequency, dueDaysAfterPeriodEnd: Number(v.taxDueDays) },
  };
  // A blank secret on edit keeps the stored one: it is never sent back to the tab to re-send.
  if (!context.isSample && v.access === 'app' && v.clientSecret) {
    input.appCredentials = { appClientId: v.appClientId.trim(), clientSecret: v.clientSecret };
  }
  return input;
}

/**
 * Finds the link in what was pasted from an invitation e-mail: the whole text when it is a
 * link, else the first https link in it (people paste a paragraph as often as the link).
 */
export function linkFromInvitation(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  if (/^https?:\/\/\S+$/i.test(trimmed)) return trimmed;
  const match = /https?:\/\/[^\s<>"')]+/i.exec(trimmed);
  return match ? match[0].replace(/[.,;]+$/, '') : null;
}
