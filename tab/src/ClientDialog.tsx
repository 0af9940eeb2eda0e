/**
 * New and Edit client. Fields are checked as the accountant types (a field shows its problem
 * once it has been touched, or after a save attempt); "Test Client URL" asks the server to reach
 * the tenant and lists the companies it finds, or says exactly what is wrong. A failed save
 * keeps everything typed.
 */
import { useState } from 'react';
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { PlugConnectedRegular } from '@fluentui/react-icons';
import type { ClientDto, TestClientUrlResult } from '../../src/hub/api-types.js';
import { errorMessage } from './api.js';
import { useApp } from './app-context.js';
import { ClientFormDialog, ClientNameField, useSaveState } from './ClientFormDialog.js';
import {
  clientFormFrom,
  clientInputFrom,
  clientUrlProblem,
  emptyClientForm,
  validateClientForm,
} from './client-form.js';
import type { ClientFormField, ClientFormValues } from './client-form.js';
import { plural } from './format.js';

const useStyles = makeStyles({
  surface: { maxWidth: '640px' },
  urlRow: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-start' },
  urlField: { flex: 1 },
  testButton: { marginTop: '26px', whiteSpace: 'nowrap' },
  pair: { display: 'grid', gridTemplateColumns: '1fr 1fr', gap: tokens.spacingHorizontalM },
  companies: { margin: `${tokens.spacingVerticalXS} 0 0`, paddingLeft: tokens.spacingHorizontalL },
  section: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
});

/** The fields typed as free text (the others are choices). */
type TextField = {
  [K in ClientFormField]: string extends ClientFormValues[K] ? K : never;
}[ClientFormField];

export interface ClientDialogProps {
  /** The client to edit; null for New. Render the dialog only while it is open. */
  readonly client: ClientDto | null;
  readonly onClose: () => void;
  readonly onSaved: (client: ClientDto, isNew: boolean) => void;
}

type TestState =
  | { kind: 'idle' }
  | { kind: 'testing' }
  | { kind: 'ok'; result: TestClientUrlResult }
  | { kind: 'failed'; message: string };

export function ClientDialog({ client, onClose, onSaved }: ClientDialogProps) {
  const styles = useStyles();
  const { api } = useApp();
  const isNew = client === null;
  const isSample = client?.isSample ?? false;
  const hadSecret = client?.connection.kind === 'app' && client.connection.hasSecret;
  const [values, setValues] = useState<ClientFormValues>(() =>
    client ? clientFormFrom(client) : emptyClientForm(),
  );
  const [touched, setTouched] = useState<ReadonlySet<ClientFormField>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const save = useSaveState();
  const [test, setTest] = useState<TestState>({ kind: 'idle' });

  const errors = validateClientForm(values, { isNew, hadSecret, isSample });
  const shown = (field: ClientFormField): string | undefined =>
    submitted || touched.has(field) ? errors[field] : undefined;

  const set = <K extends ClientFormField>(field: K, value: ClientFormValues[K]): void => {
    setValues((v) => ({ ...v, [field]: value }));
    setTouched((t) => (t.has(field) ? t : new Set(t).add(field)));
    if (field === 'url') setTest({ kind: 'idle' });
  };
  /** The value and change handler of a free-text field, for its input. */
  const bind = (field: TextField) => ({
    value: values[field],
    onChange: (_: unknown, d: { value: string }) => set(field, d.value),
  });

  const runTest = async (): Promise<void> => {
    setTouched((t) => new Set(t).add('url'));
    if (clientUrlProblem(values.url)) return;
    setTest({ kind: 'testing' });
    try {
      setTest({ kind: 'ok', result: await api.testClientUrl(values.url.trim()) });
    } catch (e) {
      setTest({ kind: 'failed', message: errorMessage(e) });
    }
  };

  const submit = (): void => {
    setSubmitted(true);
    if (Object.keys(errors).length > 0) return;
    void save.run(async () => {
      const input = clientInputFrom(values, { isSample });
      const saved = client
        ? await api.updateClient(client.id, input)
        : await api.createClient(input);
      onSaved(saved, isNew);
    });
  };

  const urlError = shown('url');

  return (
    <ClientFormDialog
      title={isNew ? 'New client' : `Edit ${client.name}`}
      submitLabel={isNew ? 'Add client' : 'Save'}
      failedTitle="The client was not saved"
      save={save}
      surfaceClassName={styles.surface}
      onSubmit={submit}
      onClose={onClose}
    >
      <ClientNameField
        value={values.name}
        onChange={(v) => set('name', v)}
        required
        validationMessage={shown('name')}
      />
      <div className={styles.urlRow}>
        <Field
          className={styles.urlField}
          label="Client URL"
          required
          validationMessage={urlError}
          hint={
            urlError
              ? undefined
              : 'The address of their Business Central, e.g. https://businesscentral.dynamics.com/{tenant}/{environment}'
          }
        >
          <Input
            {...bind('url')}
            type="url"
            inputMode="url"
            placeholder="https://businesscentral.dynamics.com/contoso.com/production"
            readOnly={isSample}
            autoComplete="off"
          />
        </Field>
        <Button
          className={styles.testButton}
          icon={test.kind === 'testing' ? <Spinner size="tiny" /> : <PlugConnectedRegular />}
          disabledFocusable={test.kind === 'testing'}
          onClick={() => void runTest()}
        >
          Test Client URL
        </Button>
      </div>
      <TestResult state={test} />
      <div className={styles.pair}>
        <Field label="Contact" hint="Who you deal with at the client">
          <Input {...bind('contact')} maxLength={200} />
        </Field>
        <Field label="Taxes: filing frequency" hint="For the taxes-due estimate">
          <Select
            value={values.taxFrequency}
            onChange={(_, d) =>
              set(
                'taxFrequency',
                d.value === 'monthly' || d.value === 'yearly' ? d.value : 'quarterly',
              )
            }
          >
            <option value="monthly">Monthly</option>
            <option value="quarterly">Quarterly</option>
            <option value="yearly">Yearly</option>
          </Select>
        </Field>
      </div>
      <Field label="Taxes due (days after the period ends)" validationMessage={shown('taxDueDays')}>
        <Input {...bind('taxDueDays')} inputMode="numeric" />
      </Field>
      <Field label="Notes" validationMessage={shown('notes')}>
        <Textarea {...bind('notes')} resize="vertical" />
      </Field>
      {isSample ? (
        <Text>
          The sample client needs no sign-in: its data comes from the built-in sample tenant.
        </Text>
      ) : (
        <div className={styles.section}>
          <Field label="How the hub signs in to this client">
            <RadioGroup
              value={values.access}
              onChange={(_, d) => set('access', d.value === 'app' ? 'app' : 'delegated')}
              disabled={!isNew}
            >
              <Radio value="delegated" label="As me (my guest account in the client’s tenant)" />
              <Radio value="app" label="With an app registration the client gave me" />
            </RadioGroup>
          </Field>
          {values.access === 'app' ? (
            <div className={styles.pair}>
              <Field
                label="Application (client) ID"
                required
                validationMessage={shown('appClientId')}
              >
                <Input {...bind('appClientId')} autoComplete="off" />
              </Field>
              <Field
                label="Client secret"
                required={isNew || !hadSecret}
                validationMessage={shown('clientSecret')}
                hint={
                  !isNew && hadSecret ? 'Leave empty to keep the stored secret' : 'Stored encrypted'
                }
              >
                <Input type="password" {...bind('clientSecret')} autoComplete="new-password" />
              </Field>
            </div>
          ) : null}
        </div>
      )}
    </ClientFormDialog>
  );
}

function TestResult({ state }: { state: TestState }) {
  const styles = useStyles();
  switch (state.kind) {
    case 'idle':
    case 'testing':
      return null;
    case 'ok':
      return (
        <MessageBar intent="success" layout="multiline" data-testid="test-result">
          <MessageBarBody>
            <MessageBarTitle>
              Connected: {plural(state.result.companies.length, 'company', 'companies')} found
            </MessageBarTitle>
            {state.result.companies.length ? (
              <ul className={styles.companies}>
                {state.result.companies.map((c) => (
                  <li key={c.id}>{c.displayName || c.name}</li>
                ))}
              </ul>
            ) : (
              'The environment has no companies yet.'
            )}
          </MessageBarBody>
        </MessageBar>
      );
    case 'failed':
      return (
        <MessageBar intent="error" layout="multiline" role="alert" data-testid="test-result">
          <MessageBarBody>
            <MessageBarTitle>The Client URL did not work</MessageBarTitle>
            {state.message}
          </MessageBarBody>
        </MessageBar>
      );
  }
}
