import { describe, expect, it } from '@jest/globals';
import {
  clientInputFrom,
  clientUrlProblem,
  emptyClientForm,
  linkFromInvitation,
  validateClientForm,
} from '../../tab/src/client-form.js';

const newClient = { isNew: true, hadSecret: false, isSample: false };

describe('Client URL checks as you type', () => {
  it.each([
    ['https://businesscentral.dynamics.com/contoso.com/production'],
    [
      'https://businesscentral.dynamics.com/5a1e7c3d-9b2f-4e6a-8d41-0c7f2b9e6a13/sandbox?company=CRONUS',
    ],
    ['http://127.0.0.1:3979/5a1e7c3d-9b2f-4e6a-8d41-0c7f2b9e6a13/production'],
    ['  https://mybusiness.financials.dynamics.com  '],
  ])('accepts %s', (url) => {
    expect(clientUrlProblem(url)).toBeNull();
  });

  it.each([
    ['', /Enter the Client URL/],
    ['businesscentral.dynamics.com/contoso', /full web address/],
    ['https://business central.com', /spaces/],
    ['ftp://businesscentral.dynamics.com/x', /https/],
    ['javascript:alert(1)', /https/],
    ['http://businesscentral.dynamics.com/contoso', /secure connection/],
    ['https://me:secret@businesscentral.dynamics.com/contoso', /passwords/],
  ])('rejects %j with a reason', (url, reason) => {
    expect(clientUrlProblem(url)).toMatch(reason);
  });
});

describe('the client form', () => {
  it('requires a name and a Client URL', () => {
    expect(validateClientForm(emptyClientForm(), newClient)).toEqual({
      name: expect.stringMatching(/name/),
      url: expect.stringMatching(/Client URL/),
    });
  });

  it('requires an app id (a GUID) and a secret for app access, but keeps a stored secret on edit', () => {
    const v = {
      ...emptyClientForm(),
      name: 'Contoso',
      url: 'https://businesscentral.dynamics.com/c/p',
      access: 'app' as const,
      appClientId: 'nope',
    };
    expect(Object.keys(validateClientForm(v, newClient)).sort()).toEqual([
      'appClientId',
      'clientSecret',
    ]);
    const edited = { ...v, appClientId: '0b7c7a9e-8f0e-4d35-a3d0-2f1f6c8d9e10' };
    expect(validateClientForm(edited, { isNew: false, hadSecret: true, isSample: false })).toEqual(
      {},
    );
  });

  it('rejects tax due days that are not a whole number up to a year', () => {
    const base = {
      ...emptyClientForm(),
      name: 'A',
      url: 'https://businesscentral.dynamics.com/a/b',
    };
    expect(validateClientForm({ ...base, taxDueDays: '-1' }, newClient).taxDueDays).toBeDefined();
    expect(validateClientForm({ ...base, taxDueDays: '2.5' }, newClient).taxDueDays).toBeDefined();
    expect(validateClientForm({ ...base, taxDueDays: '400' }, newClient).taxDueDays).toBeDefined();
    expect(validateClientForm({ ...base, taxDueDays: '10' }, newClient)).toEqual({});
  });

  it('builds the request with trimmed fields and sends a secret only when one was typed', () => {
    const v = {
      ...emptyClientForm(),
      name: '  Contoso <b>Ltd</b> ',
      url: ' https://businesscentral.dynamics.com/contoso.com/production ',
      access: 'app' as const,
      appClientId: ' 0b7c7a9e-8f0e-4d35-a3d0-2f1f6c8d9e10 ',
      taxFrequency: 'monthly' as const,
      taxDueDays: '10',
    };
    expect(clientInputFrom(v, { isSample: false })).toEqual({
      name: 'Contoso <b>Ltd</b>',
      url: 'https://businesscentral.dynamics.com/contoso.com/production',
      contact: '',
      notes: '',
      taxSettings: { frequency: 'monthly', dueDaysAfterPeriodEnd: 10 },
    });
    expect(
      clientInputFrom({ ...v, clientSecret: 's3cret' }, { isSample: false }).appCredentials,
    ).toEqual({
      appClientId: '0b7c7a9e-8f0e-4d35-a3d0-2f1f6c8d9e10',
      clientSecret: 's3cret',
    });
  });
});

describe('the link in an invitation e-mail', () => {
  it('takes a pasted link as it is', () => {
    expect(
      linkFromInvitation(
        ' https://businesscentral.dynamics.com/contoso.com/production?signupcontext=x ',
      ),
    ).toBe('https://businesscentral.dynamics.com/contoso.com/production?signupcontext=x');
  });

  it('finds the link inside a pasted paragraph, without trailing punctuation', () => {
    const text =
      'Hello! You have been invited. Open https://businesscentral.dynamics.com/contoso.com/production. Regards';
    expect(linkFromInvitation(text)).toBe(
      'https://businesscentral.dynamics.com/contoso.com/production',
    );
  });

  it('finds nothing in text without a web link', () => {
    expect(linkFromInvitation('')).toBeNull();
    expect(linkFromInvitation('please add me as your accountant')).toBeNull();
  });
});
