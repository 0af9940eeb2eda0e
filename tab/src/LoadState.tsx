/**
 * A screen's data in its three states: a loading placeholder, the failure with the server's
 * message and a way to try again, or the data itself.
 */
import type { ReactNode } from 'react';
import { Button } from '@fluentui/react-components';
import { ErrorCircleRegular } from '@fluentui/react-icons';
import { EmptyState } from './EmptyState.js';
import type { Loaded } from './use-load.js';

export interface LoadStateProps<T> {
  readonly state: Loaded<T>;
  /** Shown until the first answer comes. */
  readonly loading: ReactNode;
  /** The heading over the server's message when loading failed, e.g. "Your tasks could not be loaded". */
  readonly failedTitle: string;
  readonly onRetry: () => void;
  /** `data-testid` of the failure. */
  readonly failedTestId?: string;
  /** The loaded data's view (its own empty state included). */
  readonly children: (value: T) => ReactNode;
}

/** Shows `loading`, the failure, or `children` of the loaded value, as `state` says. */
export function LoadState<T>({
  state,
  loading,
  failedTitle,
  onRetry,
  failedTestId,
  children,
}: LoadStateProps<T>) {
  switch (state.kind) {
    case 'loading':
      return <>{loading}</>;
    case 'failed':
      return (
        <EmptyState
          tone="error"
          icon={<ErrorCircleRegular />}
          title={failedTitle}
          actions={<Button onClick={onRetry}>Try again</Button>}
          testId={failedTestId}
        >
          {state.message}
        </EmptyState>
      );
    case 'ok':
      return <>{children(state.value)}</>;
  }
}
