/**
 * BotRegistry: which bot providers are connected and what bots they offer, and the bots they
 * run. A spawned bot is an ordinary session with `is_bot: true` that joins over `/ws` with the
 * token the provider is handed; when its provider goes away, its bots go too.
 */
import type { BotInfo } from '../../protocol/entities.ts';
import type { BotDefinition } from '../../protocol/provider.ts';
import type { ProviderServerDataOf, ProviderServerType } from '../../protocol/provider.ts';
import { NAME_MAX, normalizeDisplayName } from '../../protocol/text-rules.ts';
import type { Config } from '../config.ts';
import type { EventBus } from '../events/bus.ts';
import type { Store } from '../storage/store.ts';
import type { Clock, Timer } from './clock.ts';
import { AppError } from './errors.ts';
import { randomId, type SessionId } from './ids.ts';
import type { LobbyManager } from './lobby-manager.ts';
import type { SessionManager } from './session-manager.ts';

/** How the registry talks to one provider connection (the transport implements it). */
export interface ProviderLink {
  send<T extends ProviderServerType>(type: T, data: ProviderServerDataOf<T>): void;
}

interface Provider {
  id: string;
  name: string;
  bots: BotDefinition[];
  link: ProviderLink;
}

interface RunningBot {
  sessionId: SessionId;
  bot: string;
  lobbyId: string;
  providerId: string;
  requestId: string;
  spawnTimer: Timer | null;
}

export type BotConfig = Pick<Config, 'LOBBY_MAX_PARTICIPANTS'>;

export interface BotDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  sessions: SessionManager;
  lobbies: LobbyManager;
  config: BotConfig;
}

/** Who asks for a bot: a session (must be a participant of the lobby) or the admin. */
export type Requester = { sessionId: SessionId } | 'admin';

const SPAWN_TIMEOUT_MS = 20_000;

export class BotRegistry {
  private readonly providers = new Map<string, Provider>();
  private readonly running = new Map<SessionId, RunningBot>();

  constructor(private readonly deps: BotDeps) {
    // Bot sessions left over from before a restart have no provider any more.
    for (const session of deps.store.listSessions()) {
      if (session.isBot) deps.sessions.remove(session.id, 'provider_gone');
    }
    deps.sessions.onInactive((id) => {
      if (this.running.has(id)) this.removeBot(id, 'disconnected', true);
    });
    // A bot has no business in a lobby that no longer exists.
    deps.bus.on((event) => {
      if (event.type !== 'lobby.deleted') return;
      const { lobby_id } = event.data as { lobby_id: string };
      for (const bot of [...this.running.values()]) {
        if (bot.lobbyId === lobby_id) this.removeBot(bot.sessionId, 'lobby_closed', true);
      }
    });
  }

  registerProvider(name: string, bots: BotDefinition[], link: ProviderLink): string {
    const id = randomId(9);
    this.providers.set(id, { id, name, bots, link });
    return id;
  }

  /** The provider went away: each of its bots leaves. */
  unregisterProvider(providerId: string): void {
    if (!this.providers.delete(providerId)) return;
    for (const bot of [...this.running.values()]) {
      if (bot.providerId === providerId) this.removeBot(bot.sessionId, 'provider_gone', false);
    }
  }

  list(): BotInfo[] {
    const seen = new Set<string>();
    const bots: BotInfo[] = [];
    for (const provider of this.providers.values()) {
      for (const bot of provider.bots) {
        if (seen.has(bot.name)) continue;
        seen.add(bot.name);
        bots.push({
          name: bot.name,
          description: bot.description,
          provider: provider.name,
          capabilities: bot.capabilities,
        });
      }
    }
    return bots;
  }

  /** Ask a provider to send `bot` into the lobby; answers at once with the bot's session. */
  spawn(
    lobbyId: string,
    botName: string,
    requester: Requester,
    wantedName?: string,
  ): { session_id: string; name: string } {
    const { sessions, lobbies, config, bus, clock } = this.deps;
    const lobby = lobbies.require(lobbyId);
    if (requester !== 'admin' && !lobbies.isMember(lobby.id, requester.sessionId))
      throw new AppError('not_in_lobby');
    const provider = [...this.providers.values()].find((candidate) =>
      candidate.bots.some((bot) => bot.name === botName),
    );
    if (!provider) throw new AppError('unknown_bot');
    if (lobbies.memberIds(lobby.id).length >= config.LOBBY_MAX_PARTICIPANTS) throw new AppError('lobby_full');
    const name = this.freeName(wantedName ?? botName);

    const { session, token } = sessions.create(true);
    sessions.rename(session.id, name);
    const requestId = randomId(9);
    const running: RunningBot = {
      sessionId: session.id,
      bot: botName,
      lobbyId: lobby.id,
      providerId: provider.id,
      requestId,
      spawnTimer: clock.setTimer(SPAWN_TIMEOUT_MS, () =>
        this.spawnFailed(requestId, 'provider_unavailable', 'no answer from the provider'),
      ),
    };
    this.running.set(session.id, running);
    provider.link.send('spawn', { request_id: requestId, bot: botName, lobby_id: lobby.id, name, token });
    bus.emit('bot.spawned', {
      lobby_id: lobby.id,
      session_id: session.id,
      bot: botName,
      provider: provider.name,
    });
    return { session_id: session.id, name };
  }

  spawned(providerId: string, requestId: string): void {
    const bot = this.byRequest(providerId, requestId);
    if (!bot) return;
    bot.spawnTimer?.cancel();
    bot.spawnTimer = null;
  }

  spawnFailed(requestId: string, code: string, message: string, providerId?: string): void {
    const bot = this.byRequest(providerId, requestId);
    if (bot) this.removeBot(bot.sessionId, `spawn_failed: ${code}: ${message}`.slice(0, 200), true);
  }

  /** The provider says one of its bots ended on its own (crash, or it left). */
  botEnded(providerId: string, sessionId: string, reason: string): void {
    const bot = this.running.get(sessionId as SessionId);
    if (bot?.providerId === providerId) this.removeBot(bot.sessionId, reason, false);
  }

  /** Remove a bot from a lobby at a participant's or the admin's request. */
  despawn(lobbyId: string, sessionId: string, requester: Requester): void {
    const bot = this.running.get(sessionId as SessionId);
    if (!bot || bot.lobbyId !== lobbyId) throw new AppError('unknown_session', 'No such bot in that lobby.');
    if (requester !== 'admin' && !this.deps.lobbies.isMember(lobbyId, requester.sessionId))
      throw new AppError('not_in_lobby');
    this.removeBot(bot.sessionId, 'removed', true);
  }

  isBot(sessionId: string): boolean {
    return this.running.has(sessionId as SessionId);
  }

  private removeBot(sessionId: SessionId, reason: string, tellProvider: boolean): void {
    const bot = this.running.get(sessionId);
    if (!bot) return;
    this.running.delete(sessionId);
    bot.spawnTimer?.cancel();
    if (tellProvider) this.providers.get(bot.providerId)?.link.send('despawn', { session_id: sessionId });
    this.deps.sessions.remove(sessionId, 'bot removed');
    this.deps.bus.emit('bot.removed', { lobby_id: bot.lobbyId, session_id: sessionId, reason });
  }

  private byRequest(providerId: string | undefined, requestId: string): RunningBot | undefined {
    for (const bot of this.running.values()) {
      if (bot.requestId === requestId && (providerId === undefined || bot.providerId === providerId))
        return bot;
    }
    return undefined;
  }

  private freeName(wanted: string): string {
    const base = normalizeDisplayName(wanted.charAt(0).toUpperCase() + wanted.slice(1), NAME_MAX - 3);
    if (base === null) throw new AppError('invalid_name');
    for (let n = 1; n < 100; n++) {
      const candidate = n === 1 ? base : `${base} ${n}`;
      if (this.deps.sessions.activeHolderOf(candidate) === undefined && !this.isNameOfRunningBot(candidate))
        return candidate;
    }
    throw new AppError('name_in_use');
  }

  private isNameOfRunningBot(name: string): boolean {
    const key = name.toLowerCase();
    for (const bot of this.running.values()) {
      if (this.deps.sessions.get(bot.sessionId)?.name?.toLowerCase() === key) return true;
    }
    return false;
  }
}
