/**
 * The dashboard as the tab's placement asks: all the viewer's clients (a personal tab, or a
 * channel tab set up that way), or the one client a channel tab was set up for. A viewer who
 * does not have that client is told so in words, with what to do, rather than shown an empty
 * grid or an error code.
 */
import { Suspense, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { Button } from '@fluentui/react-components';
import {
  BuildingMultipleRegular,
  LinkDismissRegular,
  PeopleEditRegular,
  PersonQuestionMarkRegular,
} from '@fluentui/react-icons';
import type { ChannelClientRef, TabPlacement } from './channel-config.js';
import type { ClientDto } from '../../src/hub/api-types.js';
import type { DashboardChannel } from './ChannelScopeBar.js';
import { Dashboard } from './Dashboard.js';
import { EmptyState, LoadingState } from './EmptyState.js';
import { ManageClients, MyTasks } from './lazy-parts.js';
import { LoadState } from './LoadState.js';
import { useScreenStyles } from './screen-styles.js';
import { useChannelClient } from './use-channel-client.js';

/** In a one-client channel tab, the viewer asked to see all their clients instead. */
export interface ShowingAll {
  /** The tab's client, as best known (the viewer's own name for it when they have it). */
  readonly clientName: string | null;
}

export interface TabDashboardProps {
  readonly placement: TabPlacement;
  readonly showingAll: ShowingAll | null;
  readonly onShowingAllChange: (next: ShowingAll | null) => void;
}

/** The Dashboard view of the tab, scoped by where the tab is. */
export function TabDashboard(props: TabDashboardProps) {
  return <ScopedView {...props} screen={(channel) => <Dashboard channel={channel} />} />;
}

/**
 * The My User Tasks view of the tab, scoped like the dashboard: in a one-client channel tab, the
 * viewer's tasks in that client only, unless they asked to see all their clients.
 */
export function TabTasks(props: TabDashboardProps) {
  return <ScopedView {...props} screen={(channel) => <MyTasks channel={channel} />} />;
}

/** A screen of the tab, given how it sits in a channel (null: a personal tab). */
function ScopedView({
  placement,
  showingAll,
  onShowingAllChange,
  screen,
}: TabDashboardProps & { readonly screen: (channel: DashboardChannel | null) => ReactNode }) {
  switch (placement.kind) {
    case 'personal':
      return <>{screen(null)}</>;
    case 'channel-all':
      return <>{screen({ kind: 'all' })}</>;
    case 'channel-client':
    case 'channel-invalid': {
      const clientName =
        placement.kind === 'channel-client' ? placement.client.clientName : placement.clientName;
      if (showingAll) {
        return (
          <>
            {screen({
              kind: 'all-instead',
              clientName: showingAll.clientName,
              onShowOnly: () => onShowingAllChange(null),
            })}
          </>
        );
      }
      return placement.kind === 'channel-client' ? (
        <OneClientView
          client={placement.client}
          onShowAll={(name) => onShowingAllChange({ clientName: name })}
          render={(found) =>
            screen({
              kind: 'client',
              client: found,
              onShowAll: () => onShowingAllChange({ clientName: found.name }),
            })
          }
        />
      ) : (
        <ChannelPanel>
          <EmptyState
            icon={<LinkDismissRegular />}
            title="This tab’s address is not valid"
            testId="channel-client-invalid"
            actions={<ShowAllButton onClick={() => onShowingAllChange({ clientName })} />}
          >
            {clientName
              ? `This tab was set up to show ${clientName}, but its address does not name a client Accountant Hub can look up. Ask the colleague who added it to remove the tab and add it again.`
              : 'This tab was set up to show one client, but its address does not name a client Accountant Hub can look up. Ask the colleague who added it to remove the tab and add it again.'}
          </EmptyState>
        </ChannelPanel>
      );
    }
  }
}

function ShowAllButton({ onClick }: { readonly onClick: () => void }) {
  return (
    <Button appearance="primary" icon={<BuildingMultipleRegular />} onClick={onClick}>
      Show all my clients
    </Button>
  );
}

/** A full-height panel in the dashboard's place, for a message instead of the grid. */
function ChannelPanel({ children }: { readonly children: ReactNode }) {
  const styles = useScreenStyles();
  return (
    <div className={styles.root}>
      <div className={styles.surface}>{children}</div>
    </div>
  );
}

/**
 * The viewer's copy of a one-client tab's client, shown by `render` once found; otherwise what
 * to do about it (looking, not in their list, lookup failed).
 */
function OneClientView({
  client,
  onShowAll,
  render,
}: {
  readonly client: ChannelClientRef;
  /** Called with the client's name as best known. */
  readonly onShowAll: (clientName: string | null) => void;
  readonly render: (found: ClientDto) => ReactNode;
}) {
  const match = useChannelClient(client);
  const [manageOpen, setManageOpen] = useState(false);
  // Once opened, the window stays mounted so it can animate closed.
  const manageUsed = useRef(false);
  if (manageOpen) manageUsed.current = true;

  if (match.state.kind === 'ok' && match.state.value.kind === 'found') {
    return <>{render(match.state.value.client)}</>;
  }
  const name = client.clientName;
  return (
    <ChannelPanel>
      <LoadState
        state={match.state}
        loading={<LoadingState label={name ? `Looking for ${name}…` : 'Looking for the client…'} />}
        failedTitle="This tab’s client could not be looked up"
        failedTestId="channel-client-error"
        onRetry={() => void match.reload()}
      >
        {() => (
          <EmptyState
            icon={<PersonQuestionMarkRegular />}
            title="Not in your client list"
            testId="channel-client-missing"
            actions={
              <>
                <ShowAllButton onClick={() => onShowAll(name)} />
                <Button icon={<PeopleEditRegular />} onClick={() => setManageOpen(true)}>
                  Manage Clients
                </Button>
              </>
            }
          >
            {`This tab shows ${name ?? 'a client'}, which is not in your client list. Ask the colleague who added it, or add the client in Manage Clients.`}
          </EmptyState>
        )}
      </LoadState>
      <Suspense fallback={null}>
        {manageOpen || manageUsed.current ? (
          <ManageClients
            open={manageOpen}
            initialAction={null}
            channelNote
            onClose={() => {
              setManageOpen(false);
              // A client added (or edited) meanwhile may be the one this tab shows.
              void match.reload();
            }}
            onChanged={() => undefined}
            onAdded={() => undefined}
          />
        ) : null}
      </Suspense>
    </ChannelPanel>
  );
}
