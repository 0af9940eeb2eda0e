/**
 * Where the tab runs: inside Teams (web, desktop, mobile) or in a plain browser. It decides the
 * theme, which view a personal tab opens on, and how external links open.
 *
 * `app.initialize()` from teams-js rejects quickly on a top-level page outside Teams but never
 * settles inside a non-Teams iframe, so it is always raced against a timeout. teams-js is loaded
 * only when the page may be inside Teams: on import it fetches its list of valid origins from a
 * CDN, which a plain browser (and an offline test run) should not do.
 */
import { parseThemeName, parseView, withTimeout } from './host-params.js';
import type { HostThemeName, HostView } from './host-params.js';

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
  /** The SSO token for `/api` calls; null until Teams SSO is configured. */
  getAuthToken(): Promise<string | null>;
}

/** How long to wait for Teams to answer before deciding the page runs in a plain browser. */
export const teamsInitTimeoutMs = 1500;

/**
 * Teams hosts tabs in an iframe (web and desktop) or a webview that exposes `nativeInterface`
 * (mobile). A top-level page without either cannot be inside Teams.
 */
function mightBeInTeams(win: Window): boolean {
  let framed: boolean;
  try {
    framed = win.self !== win.top;
  } catch {
    framed = true; // A cross-origin parent denies access to `top`: certainly framed.
  }
  return framed || 'nativeInterface' in win || /Teams\//.test(win.navigator.userAgent);
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
  };
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
    const { app } = await import('@microsoft/teams-js');
    await withTimeout(app.initialize(), timeoutMs, 'Teams');
    const context = await withTimeout(app.getContext(), timeoutMs, 'Teams context');
    const listeners = new Set<(theme: HostThemeName) => void>();
    if (!forcedTheme) {
      app.registerOnThemeChangeHandler((name) => {
        const theme = parseThemeName(name) ?? 'default';
        for (const listener of listeners) listener(theme);
      });
    }
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
      getAuthToken: () => Promise.resolve(null),
    };
  } catch {
    return browserHost(viewParam, forcedTheme);
  }
}
