/**
 * The cards that are about the bot itself: help (full, or short with the closest commands when
 * the message was not understood), the welcome on install, and errors that say what happened and
 * what to do.
 */
import { describeFailure } from '../../src/domain/dashboard.js';
import type { ErrorReason } from '../../src/domain/errors.js';
import { manifestCommands } from '../manifest-commands.js';
import type { CardActionData } from './actions.js';
import {
  card,
  container,
  dataText,
  execute,
  facts,
  sendText,
  text,
  type AdaptiveCard,
  type CardAction,
} from './elements.js';

export type HelpCardInput =
  | { readonly kind: 'full' }
  /** The message was not a command: show the closest ones. */
  | { readonly kind: 'unknown'; readonly typed: string; readonly suggestions: readonly string[] }
  /** A command with a bad argument: say what was wrong and how it is used. */
  | { readonly kind: 'invalid'; readonly problem: string; readonly usage: string };

export function helpCard(input: HelpCardInput): AdaptiveCard {
  switch (input.kind) {
    case 'full':
      return card(
        [
          text('What I can do', { size: 'medium', weight: 'bolder' }),
          text(
            'Ask in this chat; in a team or group chat, mention me first. Spelling mistakes are fine.',
            {
              subtle: true,
            },
          ),
          facts(manifestCommands.map((c) => [c.title, c.description] as const)),
          text('Add or change clients in the Accountant Hub tab (Manage Clients).', {
            subtle: true,
            size: 'small',
          }),
        ],
        [sendText('Show overdue tasks', 'show overdue tasks'), sendText('Summary', 'summary')],
      );
    case 'unknown':
      return card(
        [
          dataText([
            `I didn't understand “`,
            { text: input.typed.slice(0, 120), weight: 'bolder' },
            '”.',
          ]),
          text(input.suggestions.length > 0 ? 'Did you mean one of these?' : 'Try one of these:'),
        ],
        [...input.suggestions.map((s) => sendText(s, s)), sendText('All commands', 'help')],
      );
    case 'invalid':
      return card(
        [
          container([dataText([input.problem])], { style: 'warning' }),
          dataText([{ text: 'Usage: ', weight: 'bolder' }, input.usage]),
        ],
        [sendText('All commands', 'help')],
      );
  }
}

export interface WelcomeCardInput {
  readonly displayName: string;
  /** The accountant starts with the sample client (sample mode on). */
  readonly hasSampleClient: boolean;
}

export function welcomeCard(input: WelcomeCardInput): AdaptiveCard {
  const name = input.displayName.trim().split(/\s+/)[0] ?? '';
  return card(
    [
      dataText([
        {
          text: name === '' ? 'Welcome to Accountant Hub' : `Welcome to Accountant Hub, ${name}`,
          size: 'medium',
          weight: 'bolder',
        },
      ]),
      text(
        'I keep an eye on all your clients’ Business Central companies: overdue tasks and invoices, key numbers, and which clients failed to refresh. Ask me here any time, or let me send you a summary every morning.',
      ),
      text('Add your clients', { weight: 'bolder' }),
      text(
        '1. Open the **Accountant Hub** tab and choose **Manage Clients → New**.\n' +
          '2. Paste the client’s Business Central URL (for example https://businesscentral.dynamics.com/{tenant}/{environment}) or the invitation link from the client’s e-mail.\n' +
          '3. Choose **Test Client URL**, then **Save**.',
      ),
      ...(input.hasSampleClient
        ? [
            text('Until then, a sample client is set up so you can try everything right away.', {
              subtle: true,
            }),
          ]
        : []),
      text('Try: **show overdue tasks**, **summary**, **daily summary at 8:00**, or **help**.', {
        subtle: true,
      }),
    ],
    [
      sendText('Show overdue tasks', 'show overdue tasks'),
      sendText('Summary', 'summary'),
      sendText('Daily summary at 8:00', 'daily summary at 8:00'),
      sendText('Help', 'help'),
    ],
  );
}

export interface ErrorCardInput {
  /** What the bot was doing: "Marking the task complete". */
  readonly doing: string;
  readonly reason: ErrorReason;
  /** The specific message (safe to show: AppError messages never carry secrets). */
  readonly message: string;
  /** A button that tries again. */
  readonly retry?: { readonly title: string; readonly data: CardActionData };
  /** A button back to where the person was (the list the failed button sat on). */
  readonly back?: { readonly title: string; readonly data: CardActionData };
}

/** An error as a card: what happened and what to do, never a stack trace. */
export function errorCard(input: ErrorCardInput): AdaptiveCard {
  const actions: CardAction[] = [];
  if (input.retry !== undefined) actions.push(execute(input.retry.title, input.retry.data));
  if (input.back !== undefined) actions.push(execute(input.back.title, input.back.data));
  if (actions.length === 0) actions.push(sendText('Help', 'help'));
  return card(
    [
      container(
        [
          text(`${input.doing} did not work`, { weight: 'bolder', color: 'attention' }),
          dataText([{ text: 'What happened: ', weight: 'bolder' }, input.message]),
          dataText([{ text: 'What to do: ', weight: 'bolder' }, describeFailure(input.reason)]),
        ],
        { style: 'attention' },
      ),
    ],
    actions,
  );
}

export interface ClientChoiceCardInput {
  readonly typed: string;
  /** The command to repeat with the chosen name: `show overdue invoices`, `refresh`. */
  readonly command: string;
  readonly candidates: readonly { readonly name: string }[];
  /** True when nothing matched (the candidates are only the nearest names). */
  readonly noMatch: boolean;
}

/** "Which client did you mean?" with one button per candidate. */
export function clientChoiceCard(input: ClientChoiceCardInput): AdaptiveCard {
  return card(
    [
      dataText(
        input.noMatch
          ? [
              'I found no client called “',
              { text: input.typed.slice(0, 120), weight: 'bolder' },
              '”.',
            ]
          : [
              'Several clients match “',
              { text: input.typed.slice(0, 120), weight: 'bolder' },
              '”. Which one?',
            ],
      ),
      ...(input.noMatch && input.candidates.length > 0 ? [text('Did you mean one of these?')] : []),
    ],
    [
      ...input.candidates
        .slice(0, 5)
        .map((c) => sendText(c.name.slice(0, 60), `${input.command} ${c.name}`)),
      sendText('List my clients', 'clients'),
    ],
  );
}

export interface DailySummarySettingsCardInput {
  readonly enabled: boolean;
  readonly time: string;
  readonly timeZone: string;
  /** When the next one goes out, in words ("today at 08:00", "tomorrow at 08:00"). */
  readonly next: string | null;
  /** Set when there is no personal chat to send it to yet. */
  readonly warning?: string;
  readonly notice?: string;
}

export function dailySummarySettingsCard(input: DailySummarySettingsCardInput): AdaptiveCard {
  return card(
    [
      text('Daily summary', { size: 'medium', weight: 'bolder' }),
      ...(input.notice !== undefined ? [container([text(input.notice)], { style: 'good' })] : []),
      facts([
        ['Status', input.enabled ? 'On' : 'Off'],
        ['Time', input.time],
        ['Time zone', input.timeZone],
        ...(input.enabled && input.next !== null
          ? ([['Next', input.next]] as [string, string][])
          : []),
      ]),
      ...(input.warning !== undefined
        ? [container([text(input.warning)], { style: 'warning' })]
        : []),
      text(
        'Change it with **daily summary at 7:30**, **time zone Europe/Berlin**, or **daily summary off**.',
        { subtle: true, size: 'small' },
      ),
    ],
    input.enabled
      ? [sendText('Turn off', 'daily summary off')]
      : [sendText('Turn on at 8:00', 'daily summary at 8:00')],
  );
}
