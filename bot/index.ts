/**
 * Mounts the Teams bot on the app's restify server: `POST /api/messages` for the Bot Connector,
 * and the daily-summary scheduler. Pass {@link mountBot} as `createApp`'s `mountEdges`.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Request, Response } from 'restify';
import type restify from 'restify';
import type { AppCore, MountedEdge } from '../server/app.js';
import { isTenantAllowed } from '../src/config.js';
import { readJsonBody } from '../server/json-body.js';
import {
  createBotFramework,
  type BotFramework,
  type BotFrameworkEndpoints,
  type BotHttpRequest,
} from './bot-framework.js';
import {
  createDailySummaryScheduler,
  type DailySummaryDeps,
  type DailySummaryScheduler,
} from './daily-summary.js';
import { createBotHandler, type BotHandler } from './handler.js';
import { createSendQueue, type SendQueue, type SendQueueOptions } from './send-queue.js';
import type { OutboundMessage } from './turn.js';

/** Teams activities are a few KB; a card action's data is small too. */
const ACTIVITY_LIMIT_BYTES = 256 * 1024;

export interface BotMountOptions {
  /** Rate limits, retries and clock of the proactive send queue (tests run it on a virtual clock). */
  readonly sendQueue?: SendQueueOptions;
  /** Scheduler settings (lease, tick, freshness) and its instance name. */
  readonly dailySummary?: Partial<
    Pick<
      DailySummaryDeps,
      | 'leaseMs'
      | 'freshWithinMs'
      | 'refreshTimeoutMs'
      | 'retryFailedAfterMs'
      | 'concurrency'
      | 'tickMs'
      | 'owner'
      | 'registryBatchMs'
    >
  >;
  /** Start the scheduler's timer (default true); tests call `scheduler.tick()` themselves. */
  readonly startScheduler?: boolean;
  /** How long a card's Refresh button waits for fresh numbers. */
  readonly invokeRefreshWaitMs?: number;
  /** The Bot Framework services to trust and call; unset (production): the public Azure cloud. */
  readonly botFrameworkEndpoints?: BotFrameworkEndpoints;
}

export interface MountedBot extends MountedEdge {
  readonly framework: BotFramework;
  readonly handler: BotHandler;
  readonly scheduler: DailySummaryScheduler;
  readonly queue: SendQueue;
}

function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.toLowerCase();
  return a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}

/** Headers a proxy or tunnel adds: local traffic that arrives through one is not local. */
const forwardingHeaders = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip'];

/** Builds a `mountEdges` function with options (tests and benchmarks); {@link mountBot} is the default. */
export function createBotMount(
  options: BotMountOptions = {},
): (server: restify.Server, core: AppCore) => Promise<MountedBot> {
  return async (server, core) => {
    const logger = core.logger.child({ component: 'bot' });
    const queue = createSendQueue(options.sendQueue);
    let framework: BotFramework | null = null;

    const deliver = (
      reference: Readonly<Record<string, unknown>>,
      message: OutboundMessage,
      keys: { readonly conversationKey: string; readonly tenantKey: string },
    ) =>
      queue.enqueue({
        ...keys,
        send: async (gate) => {
          if (framework === null) throw new Error('The bot is not mounted yet.');
          await framework.sendProactive(reference, message, gate);
        },
      });

    const handler = createBotHandler({
      hub: core.hub,
      registry: core.registry,
      clock: core.clock,
      logger,
      allowLocalIdentities: core.config.botAppId === null,
      sampleMode: core.config.sampleMode,
      isTenantAllowed: (tenantId) => isTenantAllowed(core.config, tenantId),
      sendLater: deliver,
      ...(options.invokeRefreshWaitMs !== undefined
        ? { invokeRefreshWaitMs: options.invokeRefreshWaitMs }
        : {}),
    });
    framework = createBotFramework(
      {
        appId: core.config.botAppId,
        appPassword: core.config.botAppPassword,
        tenantId: core.config.botTenantId,
        logger,
        endpoints: options.botFrameworkEndpoints,
      },
      handler,
    );
    const bot = framework;

    const scheduler = createDailySummaryScheduler({
      hub: core.hub,
      registry: core.registry,
      clock: core.clock,
      logger,
      deliver,
      owner:
        options.dailySummary?.owner ?? `${hostname()}#${process.pid}#${randomUUID().slice(0, 8)}`,
      ...options.dailySummary,
    });

    server.post('/api/messages', async (req: Request, res: Response) => {
      if (!bot.authenticates) {
        // No bot app id: nothing checks who is calling, so only this computer may.
        const forwarded = forwardingHeaders.some((h) => req.headers[h] !== undefined);
        if (forwarded || !isLoopbackAddress(req.socket.remoteAddress)) {
          res.send(403, {
            code: 'forbidden',
            message:
              'This bot has no BOT_APP_ID configured, so it accepts activities from this computer only.',
          });
          return;
        }
      }
      const body = await readJsonBody(req, { limitBytes: ACTIVITY_LIMIT_BYTES, required: true });
      if (!body.ok) {
        res.send(body.problem.status, body.problem.body);
        return;
      }
      const activity = body.value;
      if (typeof activity !== 'object' || activity === null || Array.isArray(activity)) {
        res.send(400, { code: 'validation', message: 'An activity is a JSON object.' });
        return;
      }
      const type: unknown = (activity as Record<string, unknown>)['type'];
      if (typeof type !== 'string' || type === '') {
        res.send(400, { code: 'validation', message: 'An activity needs a type.' });
        return;
      }
      const botRequest: BotHttpRequest = {
        body: activity as Record<string, unknown>,
        headers: req.headers,
        method: req.method,
      };
      await bot.process(botRequest, res);
    });

    if (options.startScheduler ?? true) scheduler.start();
    logger.info('bot mounted', { authenticated: bot.authenticates });

    return {
      framework: bot,
      handler,
      scheduler,
      queue,
      async close() {
        await scheduler.stop();
        await handler.idle();
      },
    };
  };
}

/** Registers `POST /api/messages` and starts the daily-summary scheduler. */
export function mountBot(server: restify.Server, core: AppCore): Promise<MountedBot> {
  return createBotMount()(server, core);
}
