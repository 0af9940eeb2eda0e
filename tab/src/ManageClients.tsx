/**
 * The Manage Clients window: the list of clients with New, Add from invitation, Edit and Remove
 * (after a confirmation). Changes are reported to the dashboard through `onChanged`/`onAdded`.
 */
import { useCallback, useEffect, useState } from 'react';
import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Toolbar,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  DeleteRegular,
  EditRegular,
  MailInboxAddRegular,
  PeopleRegular,
  PersonAddRegular,
} from '@fluentui/react-icons';
import type { ClientDto } from '../../src/hub/api-types.js';
import { errorMessage } from './api.js';
import { useApp } from './app-context.js';
import { ClientDialog } from './ClientDialog.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { EmptyState, LoadingState } from './EmptyState.js';
import { plural } from './format.js';
import { InvitationDialog } from './InvitationDialog.js';

/** What to open straight away, e.g. from the dashboard's empty state. */
export type ManageClientsAction = 'new' | 'invitation';

const useStyles = makeStyles({
  surface: { maxWidth: '1000px', width: 'calc(100vw - 48px)' },
  content: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    minHeight: '260px',
  },
  toolbar: { padding: 0, gap: tokens.spacingHorizontalS },
  url: {
    wordBreak: 'break-all',
    color: tokens.colorNeutralForeground2,
    fontSize: tokens.fontSizeBase200,
  },
  name: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS, justifyContent: 'flex-end' },
  scroll: { maxHeight: '55vh', overflowY: 'auto' },
  companiesColumn: { width: '110px' },
  actionsColumn: { width: '200px' },
  visuallyHidden: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
});

export interface ManageClientsProps {
  readonly open: boolean;
  readonly initialAction: ManageClientsAction | null;
  /**
   * Opened from a channel tab: say that the list is the viewer's own, so nobody thinks they are
   * changing what the channel sees.
   */
  readonly channelNote?: boolean;
  readonly onClose: () => void;
  /** Something changed (edited or removed): reload the dashboard. */
  readonly onChanged: () => void;
  /** A client was added: reload and fetch its numbers. */
  readonly onAdded: (client: ClientDto) => void;
}

type Editing =
  { kind: 'new' } | { kind: 'edit'; client: ClientDto } | { kind: 'invitation' } | null;

export function ManageClients({
  open,
  initialAction,
  channelNote = false,
  onClose,
  onChanged,
  onAdded,
}: ManageClientsProps) {
  const styles = useStyles();
  const { api, notify } = useApp();
  const [clients, setClients] = useState<ClientDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [removing, setRemoving] = useState<ClientDto | null>(null);

  const load = useCallback(async () => {
    try {
      setClients(await api.listClients());
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [api]);

  useEffect(() => {
    if (!open) return;
    setClients(null);
    setError(null);
    setEditing(initialAction ? { kind: initialAction } : null);
    void load();
  }, [open, initialAction, load]);

  const onSaved = (client: ClientDto, isNew: boolean): void => {
    setEditing(null);
    notify(
      'success',
      isNew ? `${client.name} added` : `${client.name} saved`,
      isNew
        ? `${plural(client.companies.length, 'company', 'companies')} found. Fetching their numbers…`
        : undefined,
    );
    void load();
    if (isNew) onAdded(client);
    else onChanged();
  };

  return (
    <Dialog open={open} onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface className={styles.surface}>
        <DialogBody>
          <DialogTitle>Manage Clients</DialogTitle>
          <DialogContent className={styles.content}>
            {channelNote ? (
              <MessageBar intent="info" data-testid="manage-clients-channel-note">
                <MessageBarBody>
                  This is your own client list. Changes here change only what you see: everyone in
                  this channel sees their own clients.
                </MessageBarBody>
              </MessageBar>
            ) : null}
            <Toolbar className={styles.toolbar} aria-label="Clients">
              <Button
                appearance="primary"
                icon={<PersonAddRegular />}
                onClick={() => setEditing({ kind: 'new' })}
              >
                New
              </Button>
              <Button
                icon={<MailInboxAddRegular />}
                onClick={() => setEditing({ kind: 'invitation' })}
              >
                Add from invitation
              </Button>
            </Toolbar>
            {error ? (
              <MessageBar intent="error" role="alert">
                <MessageBarBody>{error}</MessageBarBody>
                <MessageBarActions>
                  <Button onClick={() => void load()}>Try again</Button>
                </MessageBarActions>
              </MessageBar>
            ) : null}
            {clients === null ? (
              error ? null : (
                <LoadingState label="Loading clients…" />
              )
            ) : clients.length === 0 ? (
              <EmptyState icon={<PeopleRegular />} title="No clients yet">
                Choose New to add a client by the address of their Business Central, or Add from
                invitation to paste the link a client sent you.
              </EmptyState>
            ) : (
              <div className={styles.scroll}>
                <Table aria-label="Clients" size="small">
                  <TableHeader>
                    <TableRow>
                      <TableHeaderCell>Client name</TableHeaderCell>
                      <TableHeaderCell>Client URL</TableHeaderCell>
                      <TableHeaderCell className={styles.companiesColumn}>
                        Companies
                      </TableHeaderCell>
                      <TableHeaderCell>Contact</TableHeaderCell>
                      <TableHeaderCell className={styles.actionsColumn}>
                        <span className={styles.visuallyHidden}>Actions</span>
                      </TableHeaderCell>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {clients.map((c) => (
                      <TableRow key={c.id}>
                        <TableCell>
                          <span className={styles.name}>
                            {c.name}
                            {c.isSample ? (
                              <Badge appearance="tint" color="informative" size="small">
                                Sample
                              </Badge>
                            ) : null}
                          </span>
                        </TableCell>
                        <TableCell className={styles.url}>{c.url}</TableCell>
                        <TableCell>{c.companies.length}</TableCell>
                        <TableCell>{c.contact}</TableCell>
                        <TableCell>
                          <div className={styles.actions}>
                            <Button
                              size="small"
                              icon={<EditRegular />}
                              aria-label={`Edit ${c.name}`}
                              onClick={() => setEditing({ kind: 'edit', client: c })}
                            >
                              Edit
                            </Button>
                            <Button
                              size="small"
                              icon={<DeleteRegular />}
                              aria-label={`Remove ${c.name}`}
                              onClick={() => setRemoving(c)}
                            >
                              Remove
                            </Button>
                          </div>
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </div>
            )}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose}>
              Close
            </Button>
          </DialogActions>
          {/* Nested dialogs live inside the parent's tree so Fluent restores the parent when they close. */}
          {editing?.kind === 'new' ? (
            <ClientDialog client={null} onClose={() => setEditing(null)} onSaved={onSaved} />
          ) : null}
          {editing?.kind === 'edit' ? (
            <ClientDialog
              client={editing.client}
              onClose={() => setEditing(null)}
              onSaved={onSaved}
            />
          ) : null}
          {editing?.kind === 'invitation' ? (
            <InvitationDialog onClose={() => setEditing(null)} onSaved={(c) => onSaved(c, true)} />
          ) : null}

          <ConfirmDialog
            open={removing !== null}
            title={`Remove ${removing?.name ?? 'client'}?`}
            confirmLabel="Remove"
            onClose={() => setRemoving(null)}
            onConfirm={async () => {
              if (!removing) return;
              await api.removeClient(removing.id);
              notify('success', `${removing.name} removed`);
              await load();
              onChanged();
            }}
          >
            {removing ? (
              <p>
                {plural(removing.companies.length, 'company leaves', 'companies leave')} your
                dashboard. Nothing changes in the client&apos;s Business Central, and you can add
                the client again later.
              </p>
            ) : null}
          </ConfirmDialog>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
