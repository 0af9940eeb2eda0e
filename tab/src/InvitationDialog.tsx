/**
 * Add from invitation: a client's Business Central invites the accountant by e-mail; pasting the
 * link (or the paragraph around it) adds that client. Render only while open.
 */
import { useState } from 'react';
import { Field, Text, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import type { ClientDto } from '../../src/hub/api-types.js';
import { useApp } from './app-context.js';
import { linkFromInvitation, maxNameLength } from './client-form.js';
import { ClientFormDialog, ClientNameField, useSaveState } from './ClientFormDialog.js';

const useStyles = makeStyles({
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
  const save = useSaveState();

  const link = linkFromInvitation(text);
  const linkProblem = !text.trim()
    ? 'Paste the link from the invitation e-mail.'
    : link
      ? null
      : 'No web link found in what you pasted. Copy the link that starts with https://.';
  const nameProblem =
    name.trim().length > maxNameLength ? `Keep the name under ${maxNameLength} characters.` : null;

  const submit = (): void => {
    setTouched(true);
    if (!link || nameProblem) return;
    void save.run(async () => {
      onSaved(
        await api.addClientFromInvitation(name.trim() ? { link, name: name.trim() } : { link }),
      );
    });
  };

  return (
    <ClientFormDialog
      title="Add a client from an invitation"
      submitLabel="Add client"
      failedTitle="The client was not added"
      save={save}
      onSubmit={submit}
      onClose={onClose}
    >
      <Text>
        When a client invites you as their external accountant, Business Central sends you an e-mail
        with a link to their Business Central. Paste that link here.
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
      <ClientNameField
        value={name}
        onChange={setName}
        hint="Optional: the tenant’s name is used when empty"
        validationMessage={nameProblem ?? undefined}
      />
    </ClientFormDialog>
  );
}
