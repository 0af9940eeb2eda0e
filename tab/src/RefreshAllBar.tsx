/**
 * Progress of Refresh all (or a bulk refresh): a bar with done/total while it runs, then a
 * summary that says how many failed and opens the list of failures with their reasons.
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
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { DismissRegular } from '@fluentui/react-icons';
import type { RefreshFailure } from '../../src/hub/api-types.js';
import { plural } from './format.js';
import type { BarJob } from './use-refresh.js';

const useStyles = makeStyles({
  running: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  line: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalM },
  failed: { color: tokens.colorPaletteRedForeground1 },
  reason: { color: tokens.colorNeutralForeground2 },
  surface: { maxWidth: '760px', width: 'calc(100vw - 48px)' },
});

export interface RefreshAllBarProps {
  readonly job: BarJob;
  readonly onDismiss: () => void;
}

export function RefreshAllBar({ job, onDismiss }: RefreshAllBarProps) {
  const styles = useStyles();
  const [showFailures, setShowFailures] = useState(false);
  const p = job.progress;

  if (!p.finished) {
    return (
      <div className={styles.running} role="status" aria-live="polite" data-testid="refresh-bar">
        <div className={styles.line}>
          <Text weight="semibold">
            {job.label}: {p.done} of {plural(p.total, 'company', 'companies')} done
          </Text>
          {p.failed > 0 ? (
            <Text className={styles.failed}>{plural(p.failed, 'failure', 'failures')} so far</Text>
          ) : null}
        </div>
        <ProgressBar
          // Indeterminate until the first company is done, so the bar visibly works from the start.
          value={p.done === 0 || p.total === 0 ? undefined : p.done / p.total}
          max={1}
          thickness="large"
          aria-label={`${job.label} progress`}
          aria-valuetext={`${p.done} of ${p.total} done`}
        />
      </div>
    );
  }

  const allGood = p.failed === 0;
  return (
    <>
      <MessageBar
        intent={allGood ? 'success' : 'warning'}
        layout="multiline"
        data-testid="refresh-bar"
        role="status"
      >
        <MessageBarBody>
          <MessageBarTitle>{job.label} finished</MessageBarTitle>
          {allGood
            ? `${plural(p.succeeded, 'company', 'companies')} refreshed.`
            : `${p.succeeded} of ${plural(p.total, 'company', 'companies')} refreshed; ${p.failed} failed. The others kept their last numbers.`}
        </MessageBarBody>
        <MessageBarActions
          containerAction={
            <Button
              appearance="transparent"
              aria-label="Dismiss"
              icon={<DismissRegular />}
              onClick={onDismiss}
            />
          }
        >
          {allGood ? null : <Button onClick={() => setShowFailures(true)}>Show failures</Button>}
        </MessageBarActions>
      </MessageBar>
      <Dialog open={showFailures} onOpenChange={(_, d) => setShowFailures(d.open)}>
        <DialogSurface className={styles.surface}>
          <DialogBody>
            <DialogTitle>
              {plural(p.failed, 'company', 'companies')} could not be refreshed
            </DialogTitle>
            <DialogContent>
              <FailureTable failures={p.failures} />
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={() => setShowFailures(false)}>
                Close
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}

function FailureTable({ failures }: { failures: readonly RefreshFailure[] }) {
  const styles = useStyles();
  return (
    <Table size="small" aria-label="Refresh failures">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Client</TableHeaderCell>
          <TableHeaderCell>Company</TableHeaderCell>
          <TableHeaderCell>What went wrong</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {failures.map((f) => (
          <TableRow key={`${f.clientId}/${f.companyId}`}>
            <TableCell>{f.clientName}</TableCell>
            <TableCell>{f.companyName}</TableCell>
            <TableCell className={styles.reason}>{f.message}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
