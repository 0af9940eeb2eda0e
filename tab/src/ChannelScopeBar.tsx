/**
 * The header of a channel tab limited to one client: which client it shows, and a way to see
 * all of one's own clients instead (and back).
 */
import { Button, Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { ArrowUndoRegular, BuildingMultipleRegular } from '@fluentui/react-icons';
import type { ClientDto } from '../../src/hub/api-types.js';

/** How the dashboard sits in a channel tab (null: a personal tab, or a plain browser). */
export type DashboardChannel =
  /** A channel tab over all the viewer's clients. */
  | { readonly kind: 'all' }
  /** A channel tab limited to one client, which the viewer has. */
  | { readonly kind: 'client'; readonly client: ClientDto; readonly onShowAll: () => void }
  /** A channel tab limited to one client, showing all the viewer's clients as they asked. */
  | {
      readonly kind: 'all-instead';
      readonly clientName: string | null;
      readonly onShowOnly: () => void;
    };

const useStyles = makeStyles({
  bar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderLeft: `${tokens.strokeWidthThickest} solid ${tokens.colorBrandStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  text: { display: 'flex', flexDirection: 'column', minWidth: 0, flex: 1 },
  name: { overflowWrap: 'anywhere' },
  note: { color: tokens.colorNeutralForeground3 },
});

/** Nothing over all clients; the tab's client and "Show all my clients", or the way back. */
export function ChannelScopeBar({ channel }: { readonly channel: DashboardChannel }) {
  const styles = useStyles();
  if (channel.kind === 'all') return null;
  const limited = channel.kind === 'client';
  const tabClient = limited ? channel.client.name : channel.clientName;
  return (
    <section className={styles.bar} aria-label="What this tab shows" data-testid="channel-scope">
      <div className={styles.text}>
        <Text as="h2" size={500} weight="semibold" className={styles.name}>
          {limited ? channel.client.name : 'All my clients'}
        </Text>
        <Text className={mergeClasses(styles.note, styles.name)}>
          {limited
            ? 'This channel tab shows one client. Everyone who opens it sees their own numbers for it.'
            : `This channel tab was set up to show ${tabClient ?? 'one client'}.`}
        </Text>
      </div>
      <Button
        icon={limited ? <BuildingMultipleRegular /> : <ArrowUndoRegular />}
        onClick={limited ? channel.onShowAll : channel.onShowOnly}
      >
        {limited
          ? 'Show all my clients'
          : tabClient
            ? `Show only ${tabClient}`
            : 'Show the tab’s client'}
      </Button>
    </section>
  );
}
