/**
 * The bot's commands as Teams shows them in the compose box (`bots[].commandLists` in the app
 * manifest) and as the help card lists them. One list, so the manifest, the help card and the
 * parser cannot drift apart: a test parses every `title` back into the command it names.
 *
 * Teams allows at most 12 commands per list, titles up to 32 characters and descriptions up to
 * 128; the test checks those limits too.
 */
export interface ManifestCommand {
  /** What the user types (and what Teams inserts when the command is picked). */
  readonly title: string;
  readonly description: string;
}

export const manifestCommands: readonly ManifestCommand[] = [
  { title: 'help', description: 'What I can do, with examples.' },
  {
    title: 'show overdue tasks',
    description: 'Tasks assigned to you that are past due, across all your clients.',
  },
  {
    title: 'show my tasks this week',
    description: 'Your open tasks due this week (or say "today"), overdue ones first.',
  },
  {
    title: 'show overdue invoices',
    description: 'Overdue sales and purchase invoices; add a client name to see just one client.',
  },
  {
    title: 'summary',
    description: "Each client's key numbers and what needs your attention first.",
  },
  {
    title: 'clients',
    description: 'Your clients, their companies, when they were last refreshed and any failures.',
  },
  {
    title: 'refresh all',
    description: 'Fetch fresh numbers from Business Central (or say "refresh" and a client name).',
  },
  {
    title: 'daily summary at 8:00',
    description: 'Get a summary card every morning at the time you choose.',
  },
  { title: 'daily summary off', description: 'Stop the daily summary card.' },
  {
    title: 'time zone Europe/Berlin',
    description: 'Set your time zone for the daily summary (any IANA time zone name).',
  },
];
