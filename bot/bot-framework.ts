/**
 * The one module that imports botbuilder (lint enforces it). botbuilder is out of support and its
 * successor is the Microsoft 365 Agents SDK, so everything botbuilder-specific lives here behind
 * the framework-neutral {@link BotLogic}, {@link Turn} and {@link OutboundMessage} of `turn.ts`:
 * moving to the successor means rewriting this file only.
 *
 * Security: with a bot app id configured, CloudAdapter checks every inbound activity's JWT from
 * the Bot Connector. Without one (local development), it checks nothing, so the HTTP route
 * (`index.ts`) accepts loopback callers only and this module refuses activities whose
 * `serviceUrl` (where replies are posted) is not a loopback address either: an unauthenticated
 * bot must not become a way to make the server post to arbitrary hosts.
 */
import {
  ActivityTypes,
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type ConfigurationBotFrameworkAuthenticationOptions,
  MessageFactory,
  type ConfigurationServiceClientCredentialFactoryOptions,
  TeamsActivityHandler,
  TurnContext,
  type Activity,
  type ConversationReference,
  type InvokeResponse,
} from 'botbuilder';
import type { Logger } from '../src/logging.js';
import { DeliveryError } from './send-queue.js';
import type {
  BotLogic,
  CardActionOutcome,
  ConversationKind,
  OutboundMessage,
  Turn,
} from './turn.js';

export interface BotFrameworkOptions {
  /** `BOT_APP_ID`; null turns inbound authentication off (local development only). */
  readonly appId: string | null;
  readonly appPassword: string | null;
  /** Set for a single-tenant bot registration. */
  readonly tenantId: string | null;
  readonly logger: Logger;
  /** The Bot Framework services to trust and call; unset: botbuilder's public Azure cloud. */
  readonly endpoints?: BotFrameworkEndpoints;
}

/**
 * The Bot Framework services a bot trusts and calls, for a cloud other than botbuilder's built-in
 * public Azure one. Production leaves them unset. Tests point them at a loopback stand-in, so that
 * checking a token (which fetches the signing keys) never leaves the machine.
 */
export interface BotFrameworkEndpoints {
  /** OpenID metadata whose `jwks_uri` lists the keys that sign the Bot Connector's tokens. */
  readonly channelOpenIdMetadataUrl: string;
  /** The `iss` every Bot Connector token carries. */
  readonly channelTokenIssuer: string;
  /**
   * OpenID metadata of the keys behind Emulator and skill tokens: botbuilder checks a token that
   * claims one of those issuers against these keys instead.
   */
  readonly emulatorOpenIdMetadataUrl: string;
  /** The Entra authority the bot gets its own tokens from. */
  readonly loginUrl: string;
  /** The audience of the bot's own tokens, which the Bot Connector checks. */
  readonly connectorScope: string;
  /** The Bot Framework token service (user sign-in): unused by this bot, required by botbuilder. */
  readonly tokenServiceUrl: string;
  /**
   * Gets the bot's token for `audience` instead of Entra's client-credentials flow at `loginUrl`.
   * Needed wherever that flow cannot run: MSAL accepts https authorities only and asks Entra's
   * public instance discovery about any authority it does not know.
   */
  readonly acquireToken?: (audience: string) => Promise<string>;
}

/** The minimal HTTP request and response shapes CloudAdapter reads and writes (restify's fit). */
export interface BotHttpRequest {
  body?: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  method?: string;
}

export interface BotHttpResponse {
  socket: unknown;
  end(...args: unknown[]): unknown;
  header(name: string, value: unknown): unknown;
  send(...args: unknown[]): unknown;
  status(code: number): unknown;
}

export interface BotFramework {
  /** True when inbound activities are authenticated (a bot app id is configured). */
  readonly authenticates: boolean;
  /** Processes one `POST /api/messages` whose JSON body is already parsed into `req.body`. */
  process(req: BotHttpRequest, res: BotHttpResponse): Promise<void>;
  /**
   * Sends a message into a stored conversation (proactive). Throws {@link DeliveryError} with the
   * HTTP status the Bot Connector answered, so the send queue can retry or give up.
   */
  sendProactive(
    reference: Readonly<Record<string, unknown>>,
    message: OutboundMessage,
    beforeTransmit?: () => Promise<void>,
  ): Promise<void>;
}

/** True for `localhost`, `127.x.x.x` and `::1` URLs. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function toActivity(message: OutboundMessage): Partial<Activity> {
  const activity: Partial<Activity> =
    message.card !== undefined
      ? MessageFactory.attachment(CardFactory.adaptiveCard(message.card), message.text)
      : MessageFactory.text(message.text ?? '');
  if (message.summary !== undefined) activity.summary = message.summary;
  return activity;
}

function conversationKindOf(activity: Activity): ConversationKind {
  const type = activity.conversation?.conversationType;
  if (type === 'channel') return 'channel';
  if (type === 'groupChat' || (type === undefined && activity.conversation?.isGroup === true)) {
    return 'groupChat';
  }
  return 'personal';
}

function tenantIdOf(activity: Activity): string | null {
  const fromConversation = activity.conversation?.tenantId;
  if (typeof fromConversation === 'string' && fromConversation !== '') return fromConversation;
  const channelData: unknown = activity.channelData;
  if (typeof channelData === 'object' && channelData !== null && 'tenant' in channelData) {
    const tenant: unknown = channelData.tenant;
    if (
      typeof tenant === 'object' &&
      tenant !== null &&
      'id' in tenant &&
      typeof tenant.id === 'string'
    ) {
      return tenant.id === '' ? null : tenant.id;
    }
  }
  return null;
}

function mentionsRecipient(activity: Activity): boolean {
  const botId = activity.recipient?.id;
  return (activity.entities ?? []).some((e) => {
    if (e.type !== 'mention') return false;
    const mentioned: unknown = e['mentioned'];
    return (
      typeof mentioned === 'object' &&
      mentioned !== null &&
      'id' in mentioned &&
      mentioned.id === botId
    );
  });
}

function turnOf(context: TurnContext): Turn {
  const a = context.activity;
  const reference = TurnContext.getConversationReference(a);
  return {
    user: {
      id: a.from?.id ?? '',
      aadObjectId:
        typeof a.from?.aadObjectId === 'string' && a.from.aadObjectId !== ''
          ? a.from.aadObjectId
          : null,
      name: a.from?.name ?? '',
    },
    tenantId: tenantIdOf(a),
    conversation: { id: a.conversation?.id ?? '', kind: conversationKindOf(a) },
    text: typeof a.text === 'string' ? a.text : '',
    mentionsBot: mentionsRecipient(a),
    // A JSON round trip keeps only plain data, which is what the registry stores.
    reference: JSON.parse(JSON.stringify(reference)) as Record<string, unknown>,
    reply: async (message) => {
      await context.sendActivity(toActivity(message));
    },
    typing: async () => {
      await context.sendActivity({ type: ActivityTypes.Typing });
    },
  };
}

function invokeResponseOf(outcome: CardActionOutcome): InvokeResponse {
  switch (outcome.kind) {
    case 'card':
      return {
        status: 200,
        body: {
          statusCode: 200,
          type: 'application/vnd.microsoft.card.adaptive',
          value: outcome.card,
        },
      };
    case 'message':
      return {
        status: 200,
        body: {
          statusCode: 200,
          type: 'application/vnd.microsoft.activity.message',
          value: outcome.text,
        },
      };
    case 'error':
      return {
        status: outcome.status,
        body: {
          statusCode: outcome.status,
          type: 'application/vnd.microsoft.error',
          value: { code: outcome.code, message: outcome.message },
        },
      };
  }
}

/** Routes Teams activities to the neutral {@link BotLogic}. */
class AccountantHubActivityHandler extends TeamsActivityHandler {
  constructor(
    private readonly logic: BotLogic,
    private readonly requireLoopbackServiceUrl: boolean,
    private readonly logger: Logger,
  ) {
    super();
    this.onMessage(async (context, next) => {
      if (this.acceptable(context)) await this.logic.onMessage(turnOf(context));
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      if (this.acceptable(context)) await this.logic.onInstalled(turnOf(context));
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      if (this.acceptable(context)) await this.logic.onUninstalled(turnOf(context));
      await next();
    });
    this.onConversationUpdate(async (context, next) => {
      if (this.acceptable(context)) {
        const a = context.activity;
        const botId = a.recipient?.id;
        const turn = turnOf(context);
        if ((a.membersAdded ?? []).some((m) => m.id === botId)) await this.logic.onInstalled(turn);
        else if ((a.membersRemoved ?? []).some((m) => m.id === botId))
          await this.logic.onUninstalled(turn);
        else await this.logic.onConversationChanged(turn);
      }
      await next();
    });
  }

  /** In unauthenticated mode, replies may only go back to a loopback Bot Connector. */
  private acceptable(context: TurnContext): boolean {
    if (!this.requireLoopbackServiceUrl) return true;
    const ok = isLoopbackUrl(context.activity.serviceUrl ?? '');
    if (!ok) {
      this.logger.warn(
        'bot: ignored an activity whose serviceUrl is not loopback (no bot app id configured)',
        {
          type: context.activity.type,
        },
      );
    }
    return ok;
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    if (!this.acceptable(context)) {
      return invokeResponseOf({
        kind: 'error',
        status: 403,
        code: 'Forbidden',
        message: 'Not accepted.',
      });
    }
    const value: unknown = context.activity.value;
    const action: unknown =
      typeof value === 'object' && value !== null && 'action' in value ? value.action : undefined;
    if (
      typeof action !== 'object' ||
      action === null ||
      !('type' in action) ||
      action.type !== 'Action.Execute'
    ) {
      return invokeResponseOf({
        kind: 'error',
        status: 400,
        code: 'BadRequest',
        message: 'Expected an Action.Execute with a verb and data.',
      });
    }
    const verb = 'verb' in action ? action.verb : undefined;
    const data = 'data' in action ? action.data : undefined;
    return invokeResponseOf(await this.logic.onCardAction(turnOf(context), verb, data));
  }
}

/** A status and Retry-After from whatever the connector client threw. */
function deliveryErrorOf(e: unknown): DeliveryError {
  if (e instanceof DeliveryError) return e;
  const o = (typeof e === 'object' && e !== null ? e : {}) as {
    statusCode?: unknown;
    code?: unknown;
    message?: unknown;
    response?: { headers?: { get?: (name: string) => string | undefined } };
  };
  const status = typeof o.statusCode === 'number' ? o.statusCode : null;
  let retryAfterMs: number | null = null;
  const header = o.response?.headers?.get?.('retry-after');
  if (header !== undefined && header !== null) {
    const seconds = Number(header);
    if (Number.isFinite(seconds)) retryAfterMs = Math.max(0, seconds * 1000);
    else if (!Number.isNaN(Date.parse(header)))
      retryAfterMs = Math.max(0, Date.parse(header) - Date.now());
  }
  const message = typeof o.message === 'string' ? o.message : String(e);
  return new DeliveryError(
    status,
    message.slice(0, 300),
    retryAfterMs,
    typeof o.code === 'string' ? o.code : undefined,
  );
}

/**
 * Prepares the connector client of one proactive send: removes its own retry policy (up to 3
 * hidden retries of 429/5xx; the send queue retries with its own back-off, and a retry it cannot
 * see would also be a send its rate limiter does not count), and, when given, waits for
 * `beforeTransmit` as the last step before the request leaves, after it is built and signed.
 */
function prepareConnectorClient(
  connectorClient: unknown,
  beforeTransmit?: () => Promise<void>,
): void {
  const client: unknown =
    typeof connectorClient === 'object' && connectorClient !== null && 'client' in connectorClient
      ? connectorClient.client
      : undefined;
  const pipeline: unknown =
    typeof client === 'object' && client !== null && 'pipeline' in client
      ? client.pipeline
      : undefined;
  if (
    typeof pipeline !== 'object' ||
    pipeline === null ||
    !('removePolicy' in pipeline) ||
    typeof pipeline.removePolicy !== 'function' ||
    !('addPolicy' in pipeline) ||
    typeof pipeline.addPolicy !== 'function'
  ) {
    throw new DeliveryError(
      null,
      'The Bot Connector client is not the one this module was written for.',
    );
  }
  pipeline.removePolicy({ phase: 'Retry' });
  if (beforeTransmit !== undefined) {
    pipeline.addPolicy(
      {
        name: 'accountantHubBeforeTransmit',
        sendRequest: async (request: unknown, next: (r: unknown) => Promise<unknown>) => {
          await beforeTransmit();
          return next(request);
        },
      },
      { afterPhase: 'Sign' },
    );
  }
}

type ServiceClientCredentials = Awaited<
  ReturnType<ConfigurationServiceClientCredentialFactory['createCredentials']>
>;

/** The bot's credentials, with its outbound tokens from {@link BotFrameworkEndpoints.acquireToken}. */
class TokenSourceCredentialFactory extends ConfigurationServiceClientCredentialFactory {
  constructor(
    options: ConfigurationServiceClientCredentialFactoryOptions,
    private readonly acquireToken: (audience: string) => Promise<string>,
    private readonly defaultAudience: string,
  ) {
    super(options);
  }

  override async createCredentials(
    appId: string,
    audience: string,
    loginEndpoint: string,
    validateAuthority: boolean,
  ): Promise<ServiceClientCredentials> {
    if (await this.isAuthenticationDisabled()) {
      return super.createCredentials(appId, audience, loginEndpoint, validateAuthority);
    }
    if (!(await this.isValidAppId(appId))) throw new Error('Invalid appId.');
    const scope = audience === '' ? this.defaultAudience : audience;
    return {
      signRequest: async (request) => {
        request.headers.set('Authorization', `Bearer ${await this.acquireToken(scope)}`);
        return request;
      },
    };
  }
}

/** botbuilder's channel id for App Service Environment Direct Line, whose tokens it checks apart. */
const aseChannelId = 'AseChannel';

/** The errors botbuilder's token check (jsonwebtoken) throws for a token that does not verify. */
const tokenErrorNames = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/**
 * Answers every token that does not verify with 401. botbuilder raises its own
 * AuthenticationError (answered 401) for the checks it makes, but lets jsonwebtoken's errors
 * through (a bad signature, `alg: none`, a token not valid yet), which CloudAdapter answers 500.
 * Other failures (the signing keys could not be fetched) stay server errors.
 */
class RefusingBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  constructor(
    config: ConfigurationBotFrameworkAuthenticationOptions,
    credentials: ConfigurationServiceClientCredentialFactory,
    /** False when other endpoints replace the public cloud's. */
    private readonly publicCloud: boolean,
    private readonly onRefused: (error: unknown) => void,
  ) {
    super(config, credentials);
  }

  override async authenticateRequest(activity: Activity, authHeader: string) {
    // botbuilder checks App Service Environment tokens against the public cloud's keys whatever
    // the endpoints say, so off the public cloud they cannot be verified: they count as missing
    // (refused without that fetch to a public host).
    const header = !this.publicCloud && activity.channelId === aseChannelId ? '' : authHeader;
    try {
      return await super.authenticateRequest(activity, header);
    } catch (e) {
      this.onRefused(e);
      if (e instanceof Error && tokenErrorNames.has(e.name)) {
        // With authentication on, an empty header fails with botbuilder's own AuthenticationError,
        // the one error CloudAdapter answers with 401 (the class itself is not exported).
        await super.authenticateRequest(activity, '');
      }
      throw e;
    }
  }
}

export function createBotFramework(options: BotFrameworkOptions, logic: BotLogic): BotFramework {
  const authenticates = options.appId !== null;
  const endpoints = options.endpoints;
  const credentialOptions: ConfigurationServiceClientCredentialFactoryOptions = authenticates
    ? {
        MicrosoftAppId: options.appId ?? undefined,
        MicrosoftAppPassword: options.appPassword ?? undefined,
        MicrosoftAppType: options.tenantId !== null ? 'SingleTenant' : 'MultiTenant',
        MicrosoftAppTenantId: options.tenantId ?? undefined,
      }
    : {};
  const credentials =
    endpoints?.acquireToken !== undefined
      ? new TokenSourceCredentialFactory(
          credentialOptions,
          endpoints.acquireToken,
          endpoints.connectorScope,
        )
      : new ConfigurationServiceClientCredentialFactory(credentialOptions);
  const log = options.logger.child({ component: 'bot' });
  const auth = new RefusingBotFrameworkAuthentication(
    {
      ...(authenticates
        ? {
            MicrosoftAppId: options.appId ?? undefined,
            MicrosoftAppTenantId: options.tenantId ?? undefined,
          }
        : {}),
      // Any one of these makes botbuilder use all of them instead of its built-in public cloud.
      ...(endpoints !== undefined
        ? {
            ToBotFromChannelOpenIdMetadataUrl: endpoints.channelOpenIdMetadataUrl,
            ToBotFromChannelTokenIssuer: endpoints.channelTokenIssuer,
            ToBotFromEmulatorOpenIdMetadataUrl: endpoints.emulatorOpenIdMetadataUrl,
            ToChannelFromBotLoginUrl: endpoints.loginUrl,
            ToChannelFromBotOAuthScope: endpoints.connectorScope,
            OAuthUrl: endpoints.tokenServiceUrl,
            ValidateAuthority: true,
          }
        : {}),
    },
    credentials,
    endpoints === undefined,
    (error) => {
      // The reason only: the token is a credential and stays out of the log.
      log.warn('bot: an activity was not authenticated', {
        reason: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown',
      });
    },
  );
  const adapter = new CloudAdapter(auth);
  const handler = new AccountantHubActivityHandler(logic, !authenticates, log);

  adapter.onTurnError = async (context, error) => {
    log.error('bot: turn failed', { error, type: context.activity.type });
    // Invokes are answered in the HTTP response; a message turn gets a short apology instead.
    if (context.activity.type === ActivityTypes.Message) {
      try {
        await context.sendActivity(
          'Sorry, something went wrong on my side. Please try again in a moment.',
        );
      } catch (sendError) {
        log.warn('bot: could not send the error message', { error: sendError });
      }
    }
  };

  return {
    authenticates,
    process: (req, res) => adapter.process(req, res, (context) => handler.run(context)),
    sendProactive: async (reference, message, beforeTransmit) => {
      const serviceUrl = reference['serviceUrl'];
      const conversation = reference['conversation'];
      if (
        typeof serviceUrl !== 'string' ||
        typeof conversation !== 'object' ||
        conversation === null ||
        !('id' in conversation) ||
        typeof conversation.id !== 'string'
      ) {
        // Unusable for good: reported like a deleted conversation, so it is marked inactive.
        throw new DeliveryError(404, 'The stored conversation reference is incomplete.');
      }
      if (!authenticates && !isLoopbackUrl(serviceUrl)) {
        throw new DeliveryError(
          403,
          'Without a bot app id, messages go to loopback addresses only.',
        );
      }
      // The adapter's turn error handler would swallow a failed send, so it is caught in here.
      let failure: unknown = null;
      try {
        await adapter.continueConversationAsync(
          options.appId ?? '',
          reference as Partial<ConversationReference> as ConversationReference,
          async (context) => {
            try {
              prepareConnectorClient(
                context.turnState.get(adapter.ConnectorClientKey),
                beforeTransmit,
              );
              await context.sendActivity(toActivity(message));
            } catch (e) {
              failure = e;
            }
          },
        );
      } catch (e) {
        failure = e;
      }
      if (failure !== null) throw deliveryErrorOf(failure);
    },
  };
}
