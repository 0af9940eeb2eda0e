/**
 * Add from invitation: a client's Business Central invites the accountant by e-mail; pasting the
 * link (or the paragraph around it) adds that client. Render only while open.
 */
import { useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { ClientDto } from '../../src/hub/api-types.js';
import { errorMessage } from './api.js';
import { useApp } from './app-context.js';
import { linkFromInvitation, maxNameLength } from './client-form.js';

const useStyles = makeStyles({
  surface: { maxWidth: '600px', width: 'calc(100vw - 48px)' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  found: { wordBreak: 'break-all', color: tokens.colorNeutralForeground2 },
});

export interface InvitationDialogProps {
  readonly onClose: () => void;
  readonly onSaved: (client: ClientDto) => void;
}

export function InvitationDialog({ onClose, onSaved }: InvitationDialogProps) {
  const styles = useStyles();
  const { api } = useApp();
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const link = linkFromInvitation(text);
  const linkProblem = !text.trim()
    ? 'Paste the link from the invitation e-mail.'
    : link
      ? null
      : 'No web link found in what you pasted. Copy the link that starts with https://.';
  const nameProblem =
    name.trim().length > maxNameLength ? `Keep the name under ${maxNameLength} characters.` : null;

  const save = async (): Promise<void> => {
    setTouched(true);
    if (!link || nameProblem) return;
    setSaving(true);
    setError(null);
    try {
      const client = await api.addClientFromInvitation(
        name.trim() ? { link, name: name.trim() } : { link },
      );
      onSaved(client);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && !saving && onClose()}>
      <DialogSurface className={styles.surface}>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <DialogBody>
            <DialogTitle>Add a client from an invitation</DialogTitle>
            <DialogContent className={styles.form}>
              <Text>
                When a client invites you as their external accountant, Business Central sends you
                an e-mail with a link to their Business Central. Paste that link here.
              </Text>
              <Field
                label="Invitation link"
                required
                validationMessage={touched || text ? (linkProblem ?? undefined) : undefined}
              >
                <Textarea
                  value={text}
                  onChange={(_, d) => setText(d.value)}
                  onBlur={() => setTouched(true)}
                  placeholder="https://businesscentral.dynamics.com/…"
                  resize="vertical"
                />
              </Field>
              {link && link !== text.trim() ? (
                <Text className={styles.found} size={200}>
                  Link found: {link}
                </Text>
              ) : null}
              <Field
                label="Client name"
                hint="Optional: the tenant’s name is used when empty"
                validationMessage={nameProblem ?? undefined}
              >
                <Input value={name} onChange={(_, d) => setName(d.value)} maxLength={200} />
              </Field>
              {error ? (
                <MessageBar intent="error" role="alert" layout="multiline">
                  <MessageBarBody>
                    <MessageBarTitle>The client was not added</MessageBarTitle>
                    {error}
                  </MessageBarBody>
                </MessageBar>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={onClose} disabledFocusable={saving}>
                Cancel
              </Button>
              <Button
                appearance="primary"
                type="submit"
                disabledFocusable={saving}
                icon={saving ? <Spinner size="tiny" /> : undefined}
              >
                Add client
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
