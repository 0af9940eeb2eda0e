/**
 * What the two ways of adding a client share (New/Edit client, and Add from invitation): the
 * dialog around a form that never closes while saving, the message of a failed save (which keeps
 * everything typed), Cancel and the submit button, the Client name field, and the saving state.
 */
import { useCallback, useState } from 'react';
import type { ReactNode } from 'react';
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
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { errorMessage } from './api.js';

const useStyles = makeStyles({
  surface: { maxWidth: '600px', width: 'calc(100vw - 48px)' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/** A save in progress, and the message of the last one that failed. */
export interface SaveState {
  readonly saving: boolean;
  readonly error: string | null;
  /** Runs `action`; a rejection becomes `error`, written for the user. */
  run(action: () => Promise<void>): Promise<void>;
}

/** The state of the form's save: one at a time, its failure kept until the next try. */
export function useSaveState(): SaveState {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (action: () => Promise<void>) => {
    setSaving(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }, []);
  return { saving, error, run };
}

export interface ClientFormDialogProps {
  readonly title: string;
  readonly submitLabel: string;
  /** The heading over a failed save's message, e.g. "The client was not saved". */
  readonly failedTitle: string;
  readonly save: SaveState;
  /** Extra class for the dialog's surface (a wider form, say). */
  readonly surfaceClassName?: string;
  readonly onSubmit: () => void;
  readonly onClose: () => void;
  /** The form's fields. */
  readonly children: ReactNode;
}

/** The client form's dialog; render it only while it is open. */
export function ClientFormDialog({
  title,
  submitLabel,
  failedTitle,
  save,
  surfaceClassName,
  onSubmit,
  onClose,
  children,
}: ClientFormDialogProps) {
  const styles = useStyles();
  return (
    <Dialog
      open
      onOpenChange={(_, d) => {
        if (!d.open && !save.saving) onClose();
      }}
    >
      <DialogSurface className={mergeClasses(styles.surface, surfaceClassName)}>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit();
          }}
        >
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent className={styles.form}>
              {children}
              {save.error ? (
                <MessageBar intent="error" role="alert" layout="multiline">
                  <MessageBarBody>
                    <MessageBarTitle>{failedTitle}</MessageBarTitle>
                    {save.error}
                  </MessageBarBody>
                </MessageBar>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={onClose} disabledFocusable={save.saving}>
                Cancel
              </Button>
              <Button
                appearance="primary"
                type="submit"
                disabledFocusable={save.saving}
                icon={save.saving ? <Spinner size="tiny" /> : undefined}
              >
                {submitLabel}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

export interface ClientNameFieldProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly required?: boolean;
  readonly hint?: string;
  readonly validationMessage?: string;
}

/** The client's name; the server's limit is checked by the form, the input stops runaway pastes. */
export function ClientNameField({
  value,
  onChange,
  required = false,
  hint,
  validationMessage,
}: ClientNameFieldProps) {
  return (
    <Field
      label="Client name"
      required={required}
      hint={hint}
      validationMessage={validationMessage}
    >
      <Input
        value={value}
        onChange={(_, d) => onChange(d.value)}
        maxLength={200}
        autoComplete="off"
      />
    </Field>
  );
}
