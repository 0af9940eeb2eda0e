/**
 * Where the tab runs: inside Teams (web, desktop, mobile) or in a plain browser. It decides the
 * theme, which view a personal tab opens on, and how external links open.
 *
 * `app.initialize()` from teams-js rejects quickly on a top-level page outside Teams but never
 * settles inside a non-Teams iframe, so it is always raced against a timeout. teams-js is loaded
 * only when the page may be inside Teams: on import it fetches its list of valid origins from a
 * CDN, which a plain browser (and an offline test run) should not do.
 */
import { authStartUrl } from './auth-flow.js';
import { parseThemeName, parseView, withTimeout } from './host-params.js';
import type { HostThemeName, HostView } from './host-params.js';
import { createSsoTokenSource, failureText, isGuid } from './sso.js';

export type { HostThemeName, HostView };

export interface TeamsHost {
  /** True once `app.initialize()` succeeded. */
  readonly inTeams: boolean;
  readonly theme: HostThemeName;
  /** The view the URL (`?view=`) or the Teams tab (`entityId`) asks for, if any. */
  readonly initialView: HostView | null;
  /** Calls `listener` when the host's theme changes; returns an unsubscribe. */
  onThemeChange(listener: (theme: HostThemeName) => void): () => void;
  /** Opens an external URL (a client's Business Central) in a new window. */
  openLink(url: string): void;
  /**
   * The SSO token for `/api` calls: inside Teams from `authentication.getAuthToken()`, cached
   * until shortly before it expires (`refresh: true` skips the cache); null in a plain browser.
   */
  getAuthToken(request?: { readonly refresh?: boolean }): Promise<string | null>;
  /** True when Teams said the user must sign in (consent) before it gives the tab a token. */
  needsSignIn(): boolean;
  /** Calls `listener` when sign-in becomes needed; returns an unsubscribe. */
  onSignInNeeded(listener: () => void): () => void;
  /** Opens the sign-in (consent) pop-up; resolves when it closes. */
  signIn(): Promise<SignInOutcome>;
}

/** How a sign-in pop-up ended; `message` is written for the user. */
export type SignInOutcome =
  { readonly ok: true } | { readonly ok: false; readonly message: string };

/** How long to wait for Teams to hand over a token before sending the request without one. */
export const tokenTimeoutMs = 15_000;

/** How long to wait for Teams to answer before deciding the page runs in a plain browser. */
export const teamsInitTimeoutMs = 1500;

/**
 * Teams hosts tabs in an iframe (web and desktop) or a webview that exposes `nativeInterface`
 * (mobile). A top-level page without either cannot be inside Teams.
 */
export function mightBeInTeams(win: Window): boolean {
  let framed: boolean;
  try {
    framed = win.self !== win.top;
  } catch {
    framed = true; // A cross-origin parent denies access to `top`: certainly framed.
  }
  return framed || 'nativeInterface' in win || /Teams\//.test(win.navigator.userAgent);
}

/** Like {@link mightBeInTeams}, but also true in a pop-up Teams opened (the sign-in pages). */
export function mightBeTeamsWindow(win: Window): boolean {
  return mightBeInTeams(win) || win.opener !== null;
}

function openInNewWindow(url: string): void {
  window.open(url, '_blank', 'noopener');
}

/** Follows the browser's light/dark and forced-colors settings, when no theme was forced. */
function browserHost(initialView: HostView | null, forced: HostThemeName | null): TeamsHost {
  const dark = window.matchMedia?.('(prefers-color-scheme: dark)');
  const contrast = window.matchMedia?.('(forced-colors: active)');
  const current = (): HostThemeName =>
    forced ?? (contrast?.matches ? 'contrast' : dark?.matches ? 'dark' : 'default');
  return {
    inTeams: false,
    theme: current(),
    initialView,
    onThemeChange(listener) {
      if (forced) return () => undefined;
      const onChange = (): void => listener(current());
      dark?.addEventListener('change', onChange);
      contrast?.addEventListener('change', onChange);
      return () => {
        dark?.removeEventListener('change', onChange);
        contrast?.removeEventListener('change', onChange);
      };
    },
    openLink: openInNewWindow,
    getAuthToken: () => Promise.resolve(null),
    needsSignIn: () => false,
    onSignInNeeded: () => () => undefined,
    signIn: () =>
      Promise.resolve({ ok: false, message: 'Signing in is needed only inside Microsoft Teams.' }),
  };
}

/** The message for a sign-in pop-up that did not succeed (teams-js reports short codes). */
function signInFailureMessage(e: unknown): string {
  const text = failureText(e);
  if (/CancelledByUser/i.test(text)) return 'The sign-in window was closed before signing in.';
  if (/FailedToOpenWindow/i.test(text)) {
    return 'Teams could not open the sign-in window. Allow pop-ups for Teams and try again.';
  }
  if (/missing-client-id/i.test(text)) {
    return 'The tab does not know this app’s sign-in id. Ask your administrator to grant consent to Accountant Hub for your organisation.';
  }
  if (/admin|AADSTS90094|AADSTS65001/i.test(text)) {
    return 'Your organisation’s administrator must approve Accountant Hub first. Ask them to grant consent.';
  }
  return `Signing in did not finish (${text.slice(0, 200)}). Try again.`;
}

export interface ConnectOptions {
  readonly timeoutMs?: number;
  readonly win?: Window;
}

/**
 * Connects to Teams when the page runs inside it, or falls back to a plain-browser host.
 * Never rejects: a Teams that does not answer in time means "not in Teams".
 * `?theme=default|dark|contrast` forces a theme and `?view=dashboard|tasks` a view (tests use both).
 */
export async function connectToHost(options: ConnectOptions = {}): Promise<TeamsHost> {
  const win = options.win ?? window;
  const params = new URLSearchParams(win.location.search);
  const forcedTheme = parseThemeName(params.get('theme'));
  const viewParam = parseView(params.get('view'));
  if (!mightBeInTeams(win)) return browserHost(viewParam, forcedTheme);

  const timeoutMs = options.timeoutMs ?? teamsInitTimeoutMs;
  try {
    const { app, authentication } = await import('@microsoft/teams-js');
    await withTimeout(app.initialize(), timeoutMs, 'Teams');
    const context = await withTimeout(app.getContext(), timeoutMs, 'Teams context');
    const listeners = new Set<(theme: HostThemeName) => void>();
    if (!forcedTheme) {
      app.registerOnThemeChangeHandler((name) => {
        const theme = parseThemeName(name) ?? 'default';
        for (const listener of listeners) listener(theme);
      });
    }
    const tokens = createSsoTokenSource({
      fetchToken: () => withTimeout(authentication.getAuthToken(), tokenTimeoutMs, 'Teams SSO'),
    });
    const addressClientId = params.get('appClientId');
    return {
      inTeams: true,
      theme: forcedTheme ?? parseThemeName(context.app.theme) ?? 'default',
      initialView: viewParam ?? parseView(context.page.id),
      onThemeChange(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      openLink(url) {
        app.openLink(url).catch(() => openInNewWindow(url));
      },
      getAuthToken: (request) => tokens.getToken(request),
      needsSignIn: () => tokens.consentNeeded,
      onSignInNeeded: (listener) => tokens.onConsentNeeded(listener),
      async signIn() {
        const clientId = tokens.appClientId ?? (isGuid(addressClientId) ? addressClientId : null);
        const url = authStartUrl(win.location.origin, {
          clientId,
          tenant: context.user?.tenant?.id ?? null,
          loginHint: context.user?.loginHint ?? null,
        });
        try {
          await authentication.authenticate({ url, width: 600, height: 640 });
          tokens.reset();
          return { ok: true };
        } catch (e) {
          return { ok: false, message: signInFailureMessage(e) };
        }
      },
    };
  } catch {
    return browserHost(viewParam, forcedTheme);
  }
}
