/** A designed empty, error or loading message for a whole panel, never a blank area. */
import type { ReactNode } from 'react';
import { Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
    textAlign: 'center',
    gap: tokens.spacingVerticalM,
    padding: `${tokens.spacingVerticalXXXL} ${tokens.spacingHorizontalXL}`,
    flex: 1,
    minHeight: '220px',
  },
  icon: { fontSize: '48px', color: tokens.colorBrandForeground1, display: 'inline-flex' },
  iconError: { color: tokens.colorPaletteRedForeground1 },
  // A long unbroken word (a name from an address, say) wraps rather than widening the page.
  body: {
    maxWidth: '520px',
    color: tokens.colorNeutralForeground2,
    textAlign: 'center',
    overflowWrap: 'anywhere',
  },
  actions: {
    display: 'flex',
    gap: tokens.spacingHorizontalS,
    flexWrap: 'wrap',
    justifyContent: 'center',
  },
});

export interface EmptyStateProps {
  readonly icon?: ReactNode;
  readonly title: string;
  readonly children?: ReactNode;
  readonly actions?: ReactNode;
  readonly tone?: 'neutral' | 'error';
  readonly testId?: string;
}

export function EmptyState({
  icon,
  title,
  children,
  actions,
  tone = 'neutral',
  testId,
}: EmptyStateProps) {
  const styles = useStyles();
  return (
    <div className={styles.root} role={tone === 'error' ? 'alert' : undefined} data-testid={testId}>
      {icon ? (
        <span
          className={tone === 'error' ? `${styles.icon} ${styles.iconError}` : styles.icon}
          aria-hidden
        >
          {icon}
        </span>
      ) : null}
      <Text as="h2" size={500} weight="semibold">
        {title}
      </Text>
      {children ? <Text className={styles.body}>{children}</Text> : null}
      {actions ? <div className={styles.actions}>{actions}</div> : null}
    </div>
  );
}

/** Loading, with words: a spinner alone says nothing to a screen reader. */
export function LoadingState({ label }: { label: string }) {
  const styles = useStyles();
  return (
    <div className={styles.root} role="status" aria-live="polite">
      <Spinner size="medium" label={label} labelPosition="below" />
    </div>
  );
}
