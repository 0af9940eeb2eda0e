/**
 * A stand-in for the Teams web client, so the real tab can be tested inside a Teams host without
 * Teams: a host page served (by Playwright's router, nothing leaves the machine) at a Teams
 * origin, which frames the tab from the loopback server and answers teams-js over
 * `window.postMessage` the way Teams does.
 *
 * The wire format follows teams-js 2.58 (`internal/communication.js`, `messageObjects.js`): the
 * tab posts `{ id, uuidAsString, func, args, apiVersionTag, … }` to its parent; the host answers
 * `{ id, uuidAsString, args }` to the tab's origin. teams-js accepts answers only from origins
 * in its valid-origins list, which it fetches from Microsoft's CDN on load; the stand-in answers
 * that fetch itself with a fixed list, so the run is deterministic and offline. Every call the
 * tab makes is recorded; calls the stand-in does not implement are recorded as unanswered.
 */
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { isLoopback } from './harness.js';

/** Where the stand-in host page is served: an origin teams-js trusts and the tab's CSP allows to frame it. */
export const standInOrigin = 'https://teams.microsoft.com';
export const standInUrl = `${standInOrigin}/_stand-in/apps/accountant-hub`;
/** The Microsoft Entra sign-in host, whose authorize endpoint the stand-in plays. */
export const entraOrigin = 'https://login.microsoftonline.com';
/** teams-js fetches its list of trusted host origins from here when it loads (`validOriginsCdnEndpoint`). */
export const validOriginsUrl =
  'https://res.cdn.office.net/teams-js/validDomains/json/validDomains.json';

/** The signed-in Teams user, as the host's context describes them. */
export interface StandInUser {
  /** Entra object id (`oid`). */
  readonly oid: string;
  /** Entra tenant id (`tid`). */
  readonly tid: string;
  readonly name: string;
  readonly upn: string;
}

/** One answer to `authentication.getAuthToken`: a token, or the error text Teams reports. */
export type TokenAnswer = { readonly token: string } | { readonly error: string };

/** A call the tab made to the host. */
export interface HostCall {
  /** The tab itself, or the sign-in pop-up the host opened for it. */
  readonly from: 'tab' | 'popup';
  readonly func: string;
  readonly args: unknown[];
  /** False for calls the stand-in does not implement (or that Teams answers with no message). */
  readonly answered: boolean;
}

export interface StandInOptions {
  readonly browser: Browser;
  /** The tab's content URL, e.g. `https://hub.example.test/?view=dashboard&appClientId=…`. */
  readonly contentUrl: string;
  /**
   * The app's loopback address. Requests to the content URL's origin are forwarded there, as a
   * reverse proxy in front of the app would: the tab then runs at a public https origin, as in
   * production (teams-js opens sign-in pop-ups only at https addresses). Leave unset when the
   * content URL is the app's loopback address itself.
   */
  readonly forwardTo?: string;
  /** The personal tab's entity id (`page.id` in the context). */
  readonly entityId?: string;
  readonly user: StandInUser;
  /** What `getAuthToken` answers, one per call, before it falls back to {@link defaultToken}. */
  readonly tokens?: readonly TokenAnswer[];
  /** What `getAuthToken` answers once `tokens` is used up. */
  readonly defaultToken: TokenAnswer;
  readonly theme?: 'default' | 'dark' | 'contrast';
  /**
   * What Entra's authorize endpoint does when the sign-in pop-up reaches it: send the user back
   * to the registered redirect with a code (`grant`, the default) or with `access_denied`.
   */
  readonly consent?: 'grant' | 'deny';
  readonly viewport?: { readonly width: number; readonly height: number };
}

export interface TeamsHostStandIn {
  readonly context: BrowserContext;
  /** The host page (the Teams window). */
  readonly page: Page;
  /** The tab inside the host, for locators. */
  readonly tab: FrameLocator;
  /** Every call the tab made to the host so far, in order. */
  calls(): Promise<HostCall[]>;
  /** Requests the pages tried to send to anything but loopback or the stand-in's own URLs (all blocked). */
  readonly externalRequests: string[];
  /** The Entra authorize requests the sign-in pop-up made. */
  readonly authorizeRequests: URL[];
  /** What the next authorize request answers (see {@link StandInOptions.consent}); may be changed. */
  consent: 'grant' | 'deny';
  /** How many times teams-js asked for its valid-origins list. */
  validOriginsFetches(): number;
  close(): Promise<void>;
}

/** What the host page starts with; embedded as JSON in the page. */
interface HostState {
  readonly contentUrl: string;
  readonly context: Record<string, unknown>;
  readonly runtimeConfig: string;
  readonly tokens: readonly TokenAnswer[];
  readonly defaultToken: TokenAnswer;
}

/**
 * A Teams web runtime configuration (apiVersion 4), trimmed to what a personal tab is offered.
 * `nestedAppAuth` is left out on purpose: the tab uses classic SSO (`getAuthToken`).
 */
const runtimeConfig = {
  apiVersion: 4,
  hostVersionsInfo: { adaptiveCardSchemaVersion: { majorVersion: 1, minorVersion: 5 } },
  isLegacyTeams: false,
  supports: {
    app: {},
    appEntity: {},
    appInstallDialog: {},
    call: {},
    chat: {},
    conversations: {},
    dialog: { card: { bot: {} }, url: { bot: {}, parentCommunication: {} }, update: {} },
    interactive: {},
    menus: {},
    pages: { appButton: {}, backStack: {}, config: {}, currentApp: {}, fullTrust: {}, tabs: {} },
    profile: {},
    sharing: {},
    stageView: {},
    teams: { fullTrust: { joinedTeams: {} } },
    teamsCore: {},
  },
};

/**
 * The context Teams web gives a personal tab, in the legacy (v1) shape teams-js receives over
 * the wire and turns into `app.Context` itself.
 */
function legacyContext(
  user: StandInUser,
  entityId: string,
  theme: string,
): Record<string, unknown> {
  return {
    entityId,
    locale: 'en-us',
    theme,
    frameContext: 'content',
    hostClientType: 'web',
    hostName: 'Teams',
    appSessionId: '3c9c4f8b-0b0c-4f3a-9d6e-5a1a2b3c4d5e',
    sessionId: '8f2d1c3b-6a4e-4c1d-9b7a-0e1f2a3b4c5d',
    ringId: 'general',
    userObjectId: user.oid,
    userDisplayName: user.name,
    userPrincipalName: user.upn,
    loginHint: user.upn,
    tid: user.tid,
    tenantSKU: 'enterprise',
    userLicenseType: 'Unknown',
    isFullScreen: false,
    isMultiWindow: false,
  };
}

/** JSON safe to embed in a `<script>` element. */
const embed = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/**
 * The host page: a Teams-like frame (app bar, title) around the tab's iframe, and the
 * message handler that plays the host's side of teams-js.
 */
export function hostPageHtml(state: HostState, title = 'Accountant Hub'): string {
  const tabOrigin = new URL(state.contentUrl).origin;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title.replace(/[<&"]/g, '')} | Microsoft Teams (stand-in)</title>
<style>
  html, body { margin: 0; height: 100%; font-family: 'Segoe UI', system-ui, sans-serif; }
  body { display: grid; grid-template-columns: 68px 1fr; grid-template-rows: 48px 1fr; background: #ebebeb; }
  header { grid-column: 1 / 3; background: #464775; color: #fff; display: flex; align-items: center; padding: 0 16px; font-size: 14px; }
  nav { background: #ebebeb; }
  main { display: flex; flex-direction: column; background: #f5f5f5; }
  main h2 { margin: 0; padding: 10px 20px; font-size: 16px; font-weight: 600; }
  iframe { flex: 1; border: 0; width: 100%; background: #fff; }
</style>
<script id="stand-in-state" type="application/json">${embed(state)}</script>
</head>
<body>
<header>Microsoft Teams — test stand-in</header>
<nav aria-label="App bar"></nav>
<main>
  <h2>${title.replace(/[<&"]/g, '')}</h2>
  <iframe id="tab" title="${title.replace(/[<&"]/g, '')}" src="${state.contentUrl.replace(/"/g, '&quot;')}"
    allow="clipboard-read; clipboard-write"></iframe>
</main>
<script>
(() => {
  const state = JSON.parse(document.getElementById('stand-in-state').textContent);
  const tabOrigin = ${embed(tabOrigin)};
  const frame = document.getElementById('tab');
  const standIn = { calls: [], tokens: [...state.tokens] };
  window.standIn = standIn;
  // The tab's pending authentication.authenticate call and the pop-up opened for it.
  let pendingAuth = null;
  let popup = null;
  let popupWatch = null;

  function reply(target, message, args) {
    target.postMessage({ id: message.id, uuidAsString: message.uuidAsString, args }, tabOrigin);
  }

  function tokenAnswer() {
    const next = standIn.tokens.length > 0 ? standIn.tokens.shift() : state.defaultToken;
    return 'token' in next ? [true, next.token] : [false, next.error];
  }

  // Ends the sign-in pop-up and answers the tab's authenticate call, as Teams does.
  function finishAuth(args) {
    clearInterval(popupWatch);
    if (popup && !popup.closed) popup.close();
    popup = null;
    if (pendingAuth) reply(frame.contentWindow, pendingAuth, args);
    pendingAuth = null;
  }

  // Opens the sign-in pop-up at the URL the tab gives; a user closing it cancels the sign-in.
  function startAuth(message) {
    const [url, width, height] = message.args;
    pendingAuth = message;
    popup = window.open(url, 'stand-in-auth', 'popup,width=' + width + ',height=' + height);
    if (!popup) {
      finishAuth([false, 'FailedToOpenWindow']);
      return;
    }
    popupWatch = setInterval(() => {
      if (popup && popup.closed) finishAuth([false, 'CancelledByUser']);
    }, 100);
  }

  // The host's side of each call from the tab: the answer's args, 'later', or undefined (none).
  function answerTab(message) {
    switch (message.func) {
      case 'initialize':
        return ['content', 'web', state.runtimeConfig, '2.58.0'];
      case 'getContext':
        return [state.context];
      case 'authentication.getAuthToken':
        return tokenAnswer();
      case 'authentication.authenticate':
        startAuth(message);
        return 'later';
      default:
        return undefined;
    }
  }

  // The pop-up runs teams-js too, in the 'authentication' frame context, and reports the end.
  function answerPopup(message) {
    switch (message.func) {
      case 'initialize':
        return ['authentication', 'web', state.runtimeConfig, '2.58.0'];
      case 'getContext':
        return [Object.assign({}, state.context, { frameContext: 'authentication' })];
      case 'authentication.authenticate.success':
        finishAuth([true, message.args[0]]);
        return 'later';
      case 'authentication.authenticate.failure':
        finishAuth([false, message.args[0]]);
        return 'later';
      default:
        return undefined;
    }
  }

  window.addEventListener('message', (event) => {
    if (event.origin !== tabOrigin) return;
    const from =
      event.source === frame.contentWindow ? 'tab' : popup && event.source === popup ? 'popup' : null;
    if (!from) return;
    const message = event.data;
    if (!message || typeof message !== 'object' || typeof message.func !== 'string') return;
    if (!Array.isArray(message.args)) message.args = [];
    const target = event.source;
    const args = from === 'tab' ? answerTab(message) : answerPopup(message);
    standIn.calls.push({ from, func: message.func, args: message.args, answered: args !== undefined });
    if (Array.isArray(args)) reply(target, message, args);
  });
})();
</script>
</body>
</html>`;
}

/**
 * Entra's answer to an authorize request: back to the redirect URI with a code (or an error) in
 * the fragment, as `response_mode=fragment` asks. Like Entra, it redirects only to the app's
 * registered reply address (`auth-end.html` on the tab's origin).
 */
function authorizeAnswer(
  request: URL,
  tabOrigin: string,
  consent: 'grant' | 'deny',
): { status: number; headers?: Record<string, string>; contentType?: string; body?: string } {
  const redirect = request.searchParams.get('redirect_uri');
  if (redirect !== `${tabOrigin}/auth-end.html`) {
    return {
      status: 400,
      contentType: 'text/plain',
      body: 'AADSTS50011: The redirect URI specified in the request does not match the redirect URIs configured for the application.',
    };
  }
  const fragment = new URLSearchParams({ state: request.searchParams.get('state') ?? '' });
  if (consent === 'grant') fragment.set('code', 'stand-in-authorization-code');
  else {
    fragment.set('error', 'access_denied');
    fragment.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
  }
  return { status: 302, headers: { Location: `${redirect}#${fragment.toString()}` } };
}

/**
 * Opens the host page at {@link standInUrl} in a new browser context, with the tab framed in
 * it. Resolves once the host page has loaded (the tab is still starting).
 */
export async function openTeamsStandIn(options: StandInOptions): Promise<TeamsHostStandIn> {
  const theme = options.theme ?? 'default';
  const context = await options.browser.newContext({
    viewport: options.viewport ?? { width: 1440, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
    colorScheme: theme === 'dark' ? 'dark' : 'light',
  });
  const tabOrigin = new URL(options.contentUrl).origin;
  const forwardTo = options.forwardTo?.replace(/\/+$/, '') ?? null;
  if (!forwardTo && isLoopback(tabOrigin)) {
    // Chromium asks before a public origin frames the local network (Local Network Access); a
    // Teams user would have allowed it for a tab served from this computer.
    await context.grantPermissions(['local-network-access'], { origin: standInOrigin });
  }

  const state: HostState = {
    contentUrl: options.contentUrl,
    context: legacyContext(options.user, options.entityId ?? 'dashboard', theme),
    runtimeConfig: JSON.stringify(runtimeConfig),
    tokens: options.tokens ?? [],
    defaultToken: options.defaultToken,
  };
  const html = hostPageHtml(state);
  const externalRequests: string[] = [];
  const authorizeRequests: URL[] = [];
  let originsFetches = 0;
  let closed = false;
  const consent = { next: options.consent ?? 'grant' };

  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === standInUrl) {
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    }
    if (url === validOriginsUrl) {
      originsFetches += 1;
      return route.fulfill({
        status: 200,
        contentType: 'application/json',
        headers: { 'Access-Control-Allow-Origin': '*' },
        body: JSON.stringify({ validOrigins: ['teams.microsoft.com', '*.teams.microsoft.com'] }),
      });
    }
    const parsed = new URL(url);
    if (parsed.origin === entraOrigin && /\/oauth2\/v2\.0\/authorize$/.test(parsed.pathname)) {
      authorizeRequests.push(parsed);
      return route.fulfill(authorizeAnswer(parsed, tabOrigin, consent.next));
    }
    if (forwardTo && parsed.origin === tabOrigin) {
      // Method, headers (Authorization included) and body go through unchanged.
      try {
        const response = await route.fetch({
          url: `${forwardTo}${parsed.pathname}${parsed.search}`,
          maxRedirects: 0,
        });
        return await route.fulfill({ response });
      } catch (e) {
        // Closing the context disposes of answers still on their way; anything else is a failure.
        if (closed) return;
        throw e;
      }
    }
    if (isLoopback(url)) return route.continue();
    externalRequests.push(url);
    return route.abort('blockedbyclient');
  });

  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(standInUrl);

  return {
    context,
    page,
    tab: page.frameLocator('#tab'),
    calls: () =>
      page
        .mainFrame()
        .evaluate(() => (window as unknown as { standIn: { calls: HostCall[] } }).standIn.calls),
    externalRequests,
    authorizeRequests,
    validOriginsFetches: () => originsFetches,
    get consent() {
      return consent.next;
    },
    set consent(value) {
      consent.next = value;
    },
    async close() {
      closed = true;
      await context.close();
    },
  };
}
