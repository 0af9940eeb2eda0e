/**
 * The shell: theme (following Teams), the header with navigation between the Dashboard and
 * My User Tasks, the sign-in prompt when Teams needs the user's consent, and the toaster every
 * screen reports through.
 */
import { Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Button,
  FluentProvider,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Tab,
  TabList,
  Text,
  Toast,
  ToastBody,
  ToastTitle,
  Toaster,
  makeStaticStyles,
  makeStyles,
  tokens,
  useId,
  useToastController,
} from '@fluentui/react-components';
import { BuildingMultipleRegular, TaskListSquareLtrRegular } from '@fluentui/react-icons';
import type { DashboardDto } from '../../src/hub/api-types.js';
import type { ApiClient, Me } from './api.js';
import { AppContext } from './app-context.js';
import type { AppServices, NoticeIntent } from './app-context.js';
import { parseTabPlacement } from './channel-config.js';
import { TabDashboard, TabTasks } from './ChannelDashboard.js';
import type { ShowingAll } from './ChannelDashboard.js';
import { preloadLazyParts } from './lazy-parts.js';
import { LoadingState } from './EmptyState.js';
import { fluentThemeOf } from './theme.js';
import type { HostThemeName, HostView, TeamsHost } from './teams-host.js';

// The provider's own class also lands on every portal (menus, dialogs), so the page layout
// lives on an inner element and the provider is only stretched here.
const useGlobalStyles = makeStaticStyles({
  'html, body, #root': { height: '100%', margin: 0 },
  '#root > .fui-FluentProvider': { height: '100%' },
});

const useStyles = makeStyles({
  shell: {
    height: '100%',
    display: 'flex',
    flexDirection: 'column',
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground1,
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalL,
    padding: `0 ${tokens.spacingHorizontalL}`,
    minHeight: '48px',
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    flexWrap: 'wrap',
  },
  brand: {
    fontWeight: tokens.fontWeightSemibold,
    fontSize: tokens.fontSizeBase400,
    whiteSpace: 'nowrap',
  },
  me: { marginLeft: 'auto', color: tokens.colorNeutralForeground3, whiteSpace: 'nowrap' },
  signIn: { margin: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL} 0` },
  main: {
    flex: 1,
    minHeight: 0,
    display: 'flex',
    flexDirection: 'column',
  },
});

export interface AppProps {
  readonly host: TeamsHost;
  readonly api: ApiClient;
  /** The dashboard requested before rendering, if the dashboard is the first view. */
  readonly initialDashboard?: Promise<DashboardDto> | null;
}

/** Keeps `?view=` in the address so a reload opens the same screen. */
function rememberView(view: HostView): void {
  const url = new URL(window.location.href);
  url.searchParams.set('view', view);
  window.history.replaceState(null, '', url);
}

/**
 * Asks the user to sign in when Teams cannot hand the tab a token without their consent. After a
 * successful sign-in `generation` changes, so the screens load again with the new token.
 */
function useSignIn(host: TeamsHost) {
  const [needed, setNeeded] = useState(() => host.needsSignIn());
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    setNeeded(host.needsSignIn());
    return host.onSignInNeeded(() => setNeeded(true));
  }, [host]);

  const signIn = useCallback(async () => {
    setBusy(true);
    setProblem(null);
    const outcome = await host.signIn();
    setBusy(false);
    if (outcome.ok) {
      setNeeded(false);
      setGeneration((g) => g + 1);
    } else {
      setProblem(outcome.message);
    }
  }, [host]);

  return { needed, busy, problem, generation, signIn };
}

export function App({ host, api, initialDashboard = null }: AppProps) {
  useGlobalStyles();
  const styles = useStyles();
  const [themeName, setThemeName] = useState<HostThemeName>(host.theme);
  const [view, setView] = useState<HostView>(host.initialView ?? 'dashboard');
  const [me, setMe] = useState<Me | null>(null);
  const toasterId = useId('toaster');
  const { dispatchToast } = useToastController(toasterId);
  const signIn = useSignIn(host);
  // Where the tab is (personal, or a channel tab maybe limited to one client) never changes;
  // "Show all my clients" in a one-client tab is remembered while switching views.
  const [placement] = useState(() => parseTabPlacement(window.location.search));
  const [showingAll, setShowingAll] = useState<ShowingAll | null>(null);

  useEffect(() => host.onThemeChange(setThemeName), [host]);
  useEffect(preloadLazyParts, []);

  useEffect(() => {
    let live = true;
    // The name in the header can wait for the first screen's data.
    const timer = setTimeout(() => {
      api.me().then(
        (m) => live && setMe(m),
        () => undefined, // The header simply shows no name; every screen reports its own errors.
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, signIn.generation]);

  const notify = useCallback(
    (intent: NoticeIntent, title: string, body?: string) => {
      dispatchToast(
        <Toast>
          <ToastTitle>{title}</ToastTitle>
          {body ? <ToastBody>{body}</ToastBody> : null}
        </Toast>,
        { intent, timeout: intent === 'error' ? 8000 : 4000 },
      );
    },
    [dispatchToast],
  );

  const initial = useRef(initialDashboard);
  // A dashboard requested before Teams said a sign-in is needed went without a token: never show it.
  useEffect(() => {
    if (signIn.needed) initial.current = null;
  }, [signIn.needed]);
  const services = useMemo<AppServices>(
    () => ({
      api,
      host,
      notify,
      now: () => new Date(),
      takeInitialDashboard() {
        const taken = initial.current;
        initial.current = null;
        return taken;
      },
    }),
    [api, host, notify],
  );

  const selectView = (next: HostView): void => {
    setView(next);
    rememberView(next);
  };

  return (
    <FluentProvider theme={fluentThemeOf(themeName)} data-theme={themeName}>
      <AppContext.Provider value={services}>
        <div className={styles.shell}>
          <header className={styles.header}>
            <Text as="h1" className={styles.brand}>
              Accountant Hub
            </Text>
            <TabList
              selectedValue={view}
              onTabSelect={(_, data) => selectView(data.value === 'tasks' ? 'tasks' : 'dashboard')}
              aria-label="Views"
            >
              <Tab value="dashboard" icon={<BuildingMultipleRegular />}>
                Dashboard
              </Tab>
              <Tab value="tasks" icon={<TaskListSquareLtrRegular />}>
                My User Tasks
              </Tab>
            </TabList>
            {me ? <Text className={styles.me}>{me.displayName}</Text> : null}
          </header>
          {signIn.needed ? (
            <MessageBar
              intent={signIn.problem ? 'error' : 'warning'}
              className={styles.signIn}
              data-testid="sign-in-needed"
            >
              <MessageBarBody>
                <MessageBarTitle>Sign in to Accountant Hub</MessageBarTitle>
                {signIn.problem ??
                  'Teams needs your permission before Accountant Hub can show your clients.'}
              </MessageBarBody>
              <MessageBarActions>
                <Button
                  appearance="primary"
                  disabled={signIn.busy}
                  onClick={() => void signIn.signIn()}
                >
                  {signIn.busy ? 'Signing in…' : 'Sign in'}
                </Button>
              </MessageBarActions>
            </MessageBar>
          ) : null}
          {/* Until the user has signed in, a screen could only fail for want of a token. */}
          {signIn.needed ? null : (
            <main className={styles.main} key={signIn.generation}>
              <Suspense fallback={<LoadingState label="Loading…" />}>
                {view === 'dashboard' ? (
                  <TabDashboard
                    placement={placement}
                    showingAll={showingAll}
                    onShowingAllChange={setShowingAll}
                  />
                ) : (
                  <TabTasks
                    placement={placement}
                    showingAll={showingAll}
                    onShowingAllChange={setShowingAll}
                  />
                )}
              </Suspense>
            </main>
          )}
        </div>
        <Toaster toasterId={toasterId} position="bottom-end" pauseOnHover pauseOnWindowBlur />
      </AppContext.Provider>
    </FluentProvider>
  );
}
