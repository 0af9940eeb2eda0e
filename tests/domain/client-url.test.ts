import { describe, expect, it } from '@jest/globals';
import {
  MAX_CLIENT_URL_LENGTH,
  isEnvironmentName,
  isTenantSegment,
  parseClientUrl,
  parseInvitationLink,
  type ClientUrlProblem,
} from '../../src/domain/client-url.js';

const GUID = '1a23b456-789c-0123-45de-678910fa12bc';
const GUID_UPPER = GUID.toUpperCase();
const BC = 'https://businesscentral.dynamics.com';
const SAMPLE_ORIGIN = 'http://127.0.0.1:3979';
const SAMPLE_TENANT = '5a3b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d';

interface Accepted {
  readonly input: string;
  readonly tenant: string;
  readonly environment: string;
  readonly company?: string | null;
  readonly normalized: string;
}

const accepted: readonly Accepted[] = [
  {
    input: `${BC}/${GUID}/production`,
    tenant: GUID,
    environment: 'production',
    normalized: `${BC}/${GUID}/production`,
  },
  {
    input: `${BC}/${GUID}`,
    tenant: GUID,
    environment: 'production',
    normalized: `${BC}/${GUID}/production`,
  },
  {
    input: `${BC}/${GUID}/`,
    tenant: GUID,
    environment: 'production',
    normalized: `${BC}/${GUID}/production`,
  },
  {
    input: `${BC}/${GUID}/Sandbox/`,
    tenant: GUID,
    environment: 'sandbox',
    normalized: `${BC}/${GUID}/sandbox`,
  },
  {
    input: `${BC}/${GUID_UPPER}/PRODUCTION`,
    tenant: GUID,
    environment: 'production',
    normalized: `${BC}/${GUID}/production`,
  },
  {
    input: `https://BusinessCentral.Dynamics.COM/${GUID}/production`,
    tenant: GUID,
    environment: 'production',
    normalized: `${BC}/${GUID}/production`,
  },
  {
    input: `   ${BC}/${GUID}/production  \n`,
    tenant: GUID,
    environment: 'production',
    normalized: `${BC}/${GUID}/production`,
  },
  {
    input: `${BC}/mybusiness.com?redirectedfromsignup=1`,
    tenant: 'mybusiness.com',
    environment: 'production',
    normalized: `${BC}/mybusiness.com/production`,
  },
  {
    input: `${BC}/${GUID}/production?redirectedfromsignup=1`,
    tenant: GUID,
    environment: 'production',
    normalized: `${BC}/${GUID}/production`,
  },
  {
    input: `${BC}/Contoso.onmicrosoft.com/Test-Env_2`,
    tenant: 'contoso.onmicrosoft.com',
    environment: 'test-env_2',
    normalized: `${BC}/contoso.onmicrosoft.com/test-env_2`,
  },
  {
    input: `${BC}/${GUID}/production?company=CRONUS%20USA%2C%20Inc.`,
    tenant: GUID,
    environment: 'production',
    company: 'CRONUS USA, Inc.',
    normalized: `${BC}/${GUID}/production?company=CRONUS%20USA%2C%20Inc.`,
  },
  {
    input: `${BC}/${GUID}/production/?company=CRONUS%20International%20Ltd.&page=9305`,
    tenant: GUID,
    environment: 'production',
    company: 'CRONUS International Ltd.',
    normalized: `${BC}/${GUID}/production?company=CRONUS%20International%20Ltd.`,
  },
  {
    input: `${BC}/${GUID}/production?page=22&company=My+Company&dc=0`,
    tenant: GUID,
    environment: 'production',
    company: 'My Company',
    normalized: `${BC}/${GUID}/production?company=My%20Company`,
  },
  {
    input: `${BC}/${GUID}/production?company=`,
    tenant: GUID,
    environment: 'production',
    company: null,
    normalized: `${BC}/${GUID}/production`,
  },
  {
    input: `${BC}/${GUID}/production#/some/fragment`,
    tenant: GUID,
    environment: 'production',
    normalized: `${BC}/${GUID}/production`,
  },
  {
    input: `${BC}/${GUID}/production?company=A&company=A`,
    tenant: GUID,
    environment: 'production',
    company: 'A',
    normalized: `${BC}/${GUID}/production?company=A`,
  },
  {
    input: `${BC}/${GUID}/production?company=Smith's%20%26%20Sons`,
    tenant: GUID,
    environment: 'production',
    company: "Smith's & Sons",
    normalized: `${BC}/${GUID}/production?company=Smith's%20%26%20Sons`,
  },
  {
    input: `${BC}/${GUID}/abcdefghijklmnopqrstuvwxyz0123`,
    tenant: GUID,
    environment: 'abcdefghijklmnopqrstuvwxyz0123',
    normalized: `${BC}/${GUID}/abcdefghijklmnopqrstuvwxyz0123`,
  },
  {
    input: `${BC}/sub.contoso.co.uk/production`,
    tenant: 'sub.contoso.co.uk',
    environment: 'production',
    normalized: `${BC}/sub.contoso.co.uk/production`,
  },
  {
    input: `${BC}/${GUID}/production?`,
    tenant: GUID,
    environment: 'production',
    normalized: `${BC}/${GUID}/production`,
  },
  {
    input: `${BC}/${GUID}/production?company=Caf%C3%A9%20M%C3%BCller`,
    tenant: GUID,
    environment: 'production',
    company: 'Café Müller',
    normalized: `${BC}/${GUID}/production?company=Caf%C3%A9%20M%C3%BCller`,
  },
];

const rejected: readonly (readonly [string, string, ClientUrlProblem])[] = [
  ['empty', '', 'empty'],
  ['only whitespace', '   \t ', 'empty'],
  ['over-long', `${BC}/${GUID}/production?x=${'a'.repeat(MAX_CLIENT_URL_LENGTH)}`, 'too-long'],
  ['NUL byte', `${BC}/${GUID}\u0000/production`, 'control-characters'],
  ['newline inside', `${BC}/${GUID}\n/production`, 'control-characters'],
  ['tab inside', `${BC}/${GUID}/produ\tction`, 'control-characters'],
  [
    'zero-width space in host',
    `https://business\u200bcentral.dynamics.com/${GUID}`,
    'control-characters',
  ],
  ['right-to-left override', `${BC}/${GUID}/\u202eproduction`, 'control-characters'],
  ['javascript: URL', 'javascript:alert(1)', 'script-url'],
  [
    'JavaScript: mixed case',
    'JaVaScRiPt:alert(document.cookie)//businesscentral.dynamics.com',
    'script-url',
  ],
  ['data: URL', 'data:text/html,<script>alert(1)</script>', 'script-url'],
  ['vbscript: URL', 'vbscript:msgbox(1)', 'script-url'],
  ['file: URL', 'file:///etc/passwd', 'script-url'],
  ['http instead of https', `http://businesscentral.dynamics.com/${GUID}/production`, 'not-https'],
  ['ftp', `ftp://businesscentral.dynamics.com/${GUID}`, 'not-https'],
  ['no scheme', `businesscentral.dynamics.com/${GUID}/production`, 'not-https'],
  ['scheme without slashes', `https:businesscentral.dynamics.com/${GUID}`, 'not-a-url'],
  ['one slash', `https:/businesscentral.dynamics.com/${GUID}`, 'not-a-url'],
  ['no host', `https:///${GUID}/production`, 'not-a-url'],
  ['backslash after host', `https://businesscentral.dynamics.com\\@evil.com/${GUID}`, 'not-a-url'],
  ['backslash as separator', `https:\\\\businesscentral.dynamics.com\\${GUID}`, 'not-a-url'],
  [
    'look-alike suffix',
    `https://businesscentral.dynamics.com.evil.com/${GUID}/production`,
    'other-host',
  ],
  ['host in path', `https://evil.com/businesscentral.dynamics.com/${GUID}`, 'other-host'],
  ['userinfo', `https://businesscentral.dynamics.com@evil.com/${GUID}/production`, 'userinfo'],
  ['userinfo with password', `https://user:pw@businesscentral.dynamics.com/${GUID}`, 'userinfo'],
  ['IPv4 literal', `https://20.190.1.2/${GUID}/production`, 'ip-address'],
  ['IPv6 literal', `https://[::1]/${GUID}/production`, 'ip-address'],
  ['hex IP', `https://0x7f000001/${GUID}`, 'ip-address'],
  ['port 443', `https://businesscentral.dynamics.com:443/${GUID}/production`, 'port'],
  ['port 8080', `https://businesscentral.dynamics.com:8080/${GUID}/production`, 'port'],
  ['Cyrillic look-alike', `https://businessc\u0435ntral.dynamics.com/${GUID}`, 'lookalike-host'],
  ['punycode look-alike', `https://xn--businessentral-abc.dynamics.com/${GUID}`, 'lookalike-host'],
  ['percent-encoded host', `https://businesscentral%2Edynamics.com/${GUID}`, 'other-host'],
  ['trailing dot host', `https://businesscentral.dynamics.com./${GUID}`, 'other-host'],
  ['www. host', `https://www.businesscentral.dynamics.com/${GUID}/production`, 'www-host'],
  ['old Financials', 'https://contoso.financials.dynamics.com/', 'old-financials-host'],
  ['old Financials with path', `https://eu.financials.dynamics.com/${GUID}`, 'old-financials-host'],
  [
    'API host',
    `https://api.businesscentral.dynamics.com/v2.0/${GUID}/production/api/v2.0`,
    'api-host',
  ],
  ['sign-in link', `https://login.microsoftonline.com/${GUID}/oauth2/v2.0/authorize`, 'login-link'],
  [
    'invitation link',
    `https://invitations.microsoft.com/redeem/?tenant=${GUID}`,
    'invitation-link',
  ],
  ['other Dynamics product', `https://contoso.crm.dynamics.com/${GUID}`, 'other-host'],
  ['no tenant', `${BC}/?company=CRONUS`, 'no-tenant'],
  ['bare host', BC, 'no-tenant'],
  ['bare host with slash', `${BC}/`, 'no-tenant'],
  ['signup link without tenant', `${BC}/?redirectedfromsignup=1`, 'no-tenant'],
  ['environment without tenant', `${BC}/Sandbox?company=CRONUS`, 'no-tenant'],
  ['tenant neither GUID nor domain', `${BC}/not_a_tenant!/production`, 'bad-tenant'],
  ['short GUID', `${BC}/1a23b456-789c-0123-45de-678910fa12b/production`, 'bad-tenant'],
  ['GUID with braces', `${BC}/{${GUID}}/production`, 'bad-tenant'],
  ['domain with numeric TLD', `${BC}/contoso.123/production`, 'bad-tenant'],
  ['dot-dot tenant', `${BC}/../${GUID}`, 'bad-tenant'],
  ['percent-encoded tenant', `${BC}/contoso%2Ecom/production`, 'bad-tenant'],
  ['environment too long', `${BC}/${GUID}/${'a'.repeat(31)}`, 'bad-environment'],
  ['environment with space', `${BC}/${GUID}/my%20env`, 'bad-environment'],
  ['environment with dot', `${BC}/${GUID}/prod.v2`, 'bad-environment'],
  ['environment traversal', `${BC}/${GUID}/..`, 'bad-environment'],
  ['double slash', `${BC}//${GUID}/production`, 'bad-path'],
  ['empty middle segment', `${BC}/${GUID}//production`, 'bad-path'],
  ['too many segments', `${BC}/${GUID}/production/extra`, 'too-many-segments'],
  ['API path pasted on web host', `${BC}/v2.0/${GUID}/production/api/v2.0`, 'too-many-segments'],
  ['broken percent escape', `${BC}/${GUID}/production?company=A%2`, 'bad-encoding'],
  ['invalid UTF-8 escape', `${BC}/${GUID}/production?company=%C3%28`, 'bad-encoding'],
  ['two companies', `${BC}/${GUID}/production?company=A&company=B`, 'bad-company'],
  ['company too long', `${BC}/${GUID}/production?company=${'x'.repeat(31)}`, 'bad-company'],
  ['encoded control char in company', `${BC}/${GUID}/production?company=A%00B`, 'bad-company'],
  ['sample URL without sample mode', `${SAMPLE_ORIGIN}/${SAMPLE_TENANT}/production`, 'not-https'],
  ['localhost https', `https://localhost/${GUID}/production`, 'other-host'],
];

describe('parseClientUrl', () => {
  it.each(accepted.map((a) => [a.input.trim().slice(0, 90), a] as const))(
    'accepts %s',
    (_name, a) => {
      const r = parseClientUrl(a.input, {});
      expect(r).toEqual({
        ok: true,
        value: {
          target: { tenant: a.tenant, environment: a.environment },
          companyName: a.company ?? null,
          isSample: false,
          normalizedUrl: a.normalized,
        },
      });
    },
  );

  it.each(rejected)('rejects %s with a reason', (_name, input, problem) => {
    const r = parseClientUrl(input, {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.reason).toBe('validation');
    expect(r.error.details['problem']).toBe(problem);
    expect(r.error.message.length).toBeGreaterThan(20);
  });

  it('has at least 60 table rows between accepted and rejected links', () => {
    expect(accepted.length + rejected.length).toBeGreaterThanOrEqual(60);
  });

  it('says a link without a tenant does not name a tenant', () => {
    const r = parseClientUrl(`${BC}/?company=CRONUS`, {});
    expect(!r.ok && r.error.message).toMatch(/does not name a tenant/);
  });

  it('tells the user to copy the address bar for an old financials.dynamics.com link', () => {
    const r = parseClientUrl('https://contoso.financials.dynamics.com/', {});
    expect(!r.ok && r.error.message).toMatch(/address bar/);
  });

  it('never echoes more than a short piece of a hostile tenant segment', () => {
    const r = parseClientUrl(`${BC}/${'<script>'.repeat(100)}/production`, {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message.length).toBeLessThan(300);
  });

  it('treats a non-string input as empty', () => {
    const r = parseClientUrl(undefined as unknown as string, {});
    expect(!r.ok && r.error.details['problem']).toBe('empty');
  });
});

describe('parseClientUrl in sample mode', () => {
  const options = { sampleOrigin: SAMPLE_ORIGIN };

  it('accepts a sample tenant URL when the origin matches exactly', () => {
    const r = parseClientUrl(
      `${SAMPLE_ORIGIN}/${SAMPLE_TENANT}/production?company=CRONUS`,
      options,
    );
    expect(r).toEqual({
      ok: true,
      value: {
        target: { tenant: SAMPLE_TENANT, environment: 'production' },
        companyName: 'CRONUS',
        isSample: true,
        normalizedUrl: `${SAMPLE_ORIGIN}/${SAMPLE_TENANT}/production?company=CRONUS`,
      },
    });
  });

  it('accepts the sample origin given with a trailing slash', () => {
    const r = parseClientUrl(`${SAMPLE_ORIGIN}/${SAMPLE_TENANT}`, {
      sampleOrigin: `${SAMPLE_ORIGIN}/`,
    });
    expect(r.ok && r.value.isSample).toBe(true);
  });

  it('still parses real Business Central URLs as not sample', () => {
    const r = parseClientUrl(`${BC}/${GUID}/production`, options);
    expect(r.ok && r.value.isSample).toBe(false);
  });

  it.each([
    ['another port', `http://127.0.0.1:3980/${SAMPLE_TENANT}/production`],
    ['localhost instead of 127.0.0.1', `http://localhost:3979/${SAMPLE_TENANT}/production`],
    ['https instead of http', `https://127.0.0.1:3979/${SAMPLE_TENANT}/production`],
    ['userinfo before the sample origin', `http://127.0.0.1:3979@evil.com/${SAMPLE_TENANT}`],
    ['sample origin as userinfo', `http://evil.com@127.0.0.1:3979/${SAMPLE_TENANT}`],
  ])('rejects a near-miss of the sample origin: %s', (_name, input) => {
    expect(parseClientUrl(input, options).ok).toBe(false);
  });

  it('applies the same tenant rules to sample URLs', () => {
    const r = parseClientUrl(`${SAMPLE_ORIGIN}/../../etc/passwd`, options);
    expect(r.ok).toBe(false);
  });

  it('ignores a sample origin that is not a URL', () => {
    const r = parseClientUrl(`${SAMPLE_ORIGIN}/${SAMPLE_TENANT}`, { sampleOrigin: 'not a url' });
    expect(r.ok).toBe(false);
  });

  it('ignores a null sample origin', () => {
    const r = parseClientUrl(`${SAMPLE_ORIGIN}/${SAMPLE_TENANT}`, { sampleOrigin: null });
    expect(!r.ok && r.error.details['problem']).toBe('not-https');
  });
});

describe('parseInvitationLink', () => {
  const redeem =
    `https://invitations.microsoft.com/redeem/?tenant=04dcc6ab-388a-4559-b527-fbec656300ea` +
    `&user=7b92124c-9fa9-406f-8b8e-225df8376ba9&ticket=VV9dmiExBsfRIVNFjb9ITj9VXAd07Ypv4gTg%2f8PiuJs%3d&lc=1033&ver=2.0`;

  it('takes the tenant from a Microsoft Invitations redeem link, environment production', () => {
    expect(parseInvitationLink(redeem, {})).toEqual({
      ok: true,
      value: {
        target: { tenant: '04dcc6ab-388a-4559-b527-fbec656300ea', environment: 'production' },
        companyName: null,
        isSample: false,
        normalizedUrl: `${BC}/04dcc6ab-388a-4559-b527-fbec656300ea/production`,
      },
    });
  });

  it('unwraps a sign-in redeem link that carries the invitation in rd', () => {
    const wrapped = `https://login.microsoftonline.com/redeem?rd=${encodeURIComponent(redeem)}`;
    const r = parseInvitationLink(wrapped, {});
    expect(r.ok && r.value.target.tenant).toBe('04dcc6ab-388a-4559-b527-fbec656300ea');
  });

  it('accepts the client link from the BC invitation e-mail', () => {
    const r = parseInvitationLink(`${BC}/${GUID}/production?redirectedfromsignup=1`, {});
    expect(r.ok && r.value.target).toEqual({ tenant: GUID, environment: 'production' });
  });

  it('accepts a domain-only signup link and defaults the environment', () => {
    const r = parseInvitationLink(`${BC}/mybusiness.com?redirectedfromsignup=1`, {});
    expect(r.ok && r.value.target).toEqual({ tenant: 'mybusiness.com', environment: 'production' });
  });

  it.each([
    [
      'a sign-in link',
      `https://login.microsoftonline.com/${GUID}/oauth2/v2.0/authorize?client_id=x`,
      'login-link',
    ],
    [
      'a sign-in redeem link without rd',
      'https://login.microsoftonline.com/redeem?foo=1',
      'login-link',
    ],
    [
      'a sign-in redeem link wrapping another sign-in link',
      `https://login.microsoftonline.com/redeem?rd=${encodeURIComponent(`https://login.microsoftonline.com/redeem?rd=${encodeURIComponent(redeem)}`)}`,
      'login-link',
    ],
    [
      'a sign-in redeem link wrapping a foreign site',
      `https://login.microsoftonline.com/redeem?rd=${encodeURIComponent('https://evil.com/redeem?tenant=' + GUID)}`,
      'other-host',
    ],
    [
      'a redeem link without tenant',
      'https://invitations.microsoft.com/redeem/?user=x&ticket=y',
      'bad-invitation',
    ],
    [
      'a redeem link with a bad tenant',
      'https://invitations.microsoft.com/redeem/?tenant=common',
      'bad-tenant',
    ],
    [
      'an invitations link that is not a redeem',
      `https://invitations.microsoft.com/other?tenant=${GUID}`,
      'bad-invitation',
    ],
    [
      'a redeem link over http',
      `http://invitations.microsoft.com/redeem/?tenant=${GUID}`,
      'not-https',
    ],
    [
      'a look-alike invitations host',
      `https://invitations.microsoft.com.evil.com/redeem/?tenant=${GUID}`,
      'other-host',
    ],
    [
      'two tenants',
      `https://invitations.microsoft.com/redeem/?tenant=${GUID}&tenant=${GUID}`,
      'bad-invitation',
    ],
    ['javascript:', 'javascript:alert(1)', 'script-url'],
  ])('rejects %s', (_name, input, problem) => {
    const r = parseInvitationLink(input, {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.details['problem']).toBe(problem);
  });

  it('accepts a sample link in sample mode', () => {
    const r = parseInvitationLink(`${SAMPLE_ORIGIN}/${SAMPLE_TENANT}/production`, {
      sampleOrigin: SAMPLE_ORIGIN,
    });
    expect(r.ok && r.value.isSample).toBe(true);
  });
});

describe('tenant and environment rules', () => {
  it.each([
    [GUID, true],
    ['contoso.com', true],
    ['contoso.onmicrosoft.com', true],
    ['xn--bcher-kva.example', true],
    ['contoso', false],
    ['-contoso.com', false],
    ['contoso-.com', false],
    ['a'.repeat(64) + '.com', false],
    ['', false],
  ])('isTenantSegment(%s) is %s', (value, expected) => {
    expect(isTenantSegment(value)).toBe(expected);
  });

  it.each([
    ['production', true],
    ['Sandbox_2-test', true],
    ['a'.repeat(30), true],
    ['a'.repeat(31), false],
    ['', false],
    ['prod env', false],
  ])('isEnvironmentName(%s) is %s', (value, expected) => {
    expect(isEnvironmentName(value)).toBe(expected);
  });
});
