/**
 * LobbyManager: lobbies (stored) and their participants with mute/speaking state (in memory:
 * membership lasts while a session is active). Membership checks are O(1) map lookups, since
 * every signaling frame asks one.
 */
import type { Lobby, LobbySummary, Participant, ParticipantState } from '../../protocol/entities.ts';
import { LOBBY_NAME_MAX, normalizeDisplayName } from '../../protocol/text-rules.ts';
import type { Config } from '../config.ts';
import { atomically } from './atomically.ts';
import type { EventBus } from '../events/bus.ts';
import type { LobbyRecord, Store } from '../storage/store.ts';
import type { BanChecker } from './bans.ts';
import { isoTime, type Clock } from './clock.ts';
import { AppError } from './errors.ts';
import { newLobbyId, type LobbyId, type SessionId } from './ids.ts';
import type { SessionManager } from './session-manager.ts';

export type LobbyConfig = Pick<Config, 'LOBBY_MAX_PARTICIPANTS'>;

export interface LobbyDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  sessions: SessionManager;
  bans: BanChecker;
  config: LobbyConfig;
}

export interface JoinResult {
  lobby: LobbyRecord;
  /** Everyone in the lobby after the join, the joiner included. */
  participants: Participant[];
  /** False when the session was already a participant (a re-join restarts its peer connections). */
  isNew: boolean;
}

export class LobbyManager {
  private readonly members = new Map<LobbyId, Map<SessionId, ParticipantState>>();
  private readonly lobbiesBySession = new Map<SessionId, Set<LobbyId>>();

  constructor(private readonly deps: LobbyDeps) {
    deps.sessions.onInactive((id) => this.leaveAll(id, 'disconnected'));
  }

  /** Public: create-or-get by name. Private: always new. */
  create(rawName: string, isPrivate: boolean, by: SessionId): { lobby: LobbyRecord; created: boolean } {
    const name = normalizeDisplayName(rawName, LOBBY_NAME_MAX);
    if (name === null) throw new AppError('invalid_lobby_name');
    const { store, bus, clock } = this.deps;
    return atomically(store, bus, () => {
      if (!isPrivate) {
        const existing = store.getPublicLobbyByName(name);
        if (existing) return { lobby: existing, created: false };
      }
      const lobby: LobbyRecord = { id: newLobbyId(), name, isPrivate, createdAt: clock.now() };
      store.insertLobby(lobby);
      bus.emit('lobby.created', { lobby_id: lobby.id, name, private: isPrivate, by });
      return { lobby, created: true };
    });
  }

  get(id: string): LobbyRecord | undefined {
    return this.deps.store.getLobby(id as LobbyId);
  }

  require(id: string): LobbyRecord {
    const lobby = this.get(id);
    if (!lobby) throw new AppError('unknown_lobby');
    return lobby;
  }

  view(lobby: LobbyRecord, withParticipants = false): Lobby {
    const view: Lobby = {
      id: lobby.id,
      name: lobby.name,
      private: lobby.isPrivate,
      created_at: isoTime(lobby.createdAt),
    };
    if (withParticipants) view.participants = this.participants(lobby.id);
    return view;
  }

  listPublic(): LobbySummary[] {
    return this.deps.store.listPublicLobbies().map((lobby) => ({
      id: lobby.id,
      name: lobby.name,
      private: false,
      participants: this.members.get(lobby.id)?.size ?? 0,
      created_at: isoTime(lobby.createdAt),
    }));
  }

  join(lobbyId: string, sessionId: SessionId): JoinResult {
    const { bus, sessions, config } = this.deps;
    const session = sessions.require(sessionId);
    if (session.name === null) throw new AppError('name_required');
    const lobby = this.require(lobbyId);
    this.deps.bans.assertAllowed({ sessionId, name: session.name });
    const members = this.members.get(lobby.id) ?? new Map<SessionId, ParticipantState>();
    const isNew = !members.has(sessionId);
    if (isNew) {
      if (members.size >= config.LOBBY_MAX_PARTICIPANTS) throw new AppError('lobby_full');
      members.set(sessionId, { muted: false, speaking: false });
      this.members.set(lobby.id, members);
      let joined = this.lobbiesBySession.get(sessionId);
      if (!joined) this.lobbiesBySession.set(sessionId, (joined = new Set()));
      joined.add(lobby.id);
      bus.emit('lobby.joined', {
        lobby_id: lobby.id,
        participant: this.participant(sessionId, members.get(sessionId)!),
      });
    }
    return { lobby, participants: this.participants(lobby.id), isNew };
  }

  leave(lobbyId: string, sessionId: SessionId, reason = 'left'): void {
    const members = this.members.get(lobbyId as LobbyId);
    if (!members?.delete(sessionId)) throw new AppError('not_in_lobby');
    if (members.size === 0) this.members.delete(lobbyId as LobbyId);
    const joined = this.lobbiesBySession.get(sessionId);
    joined?.delete(lobbyId as LobbyId);
    if (joined?.size === 0) this.lobbiesBySession.delete(sessionId);
    this.deps.bus.emit('lobby.left', { lobby_id: lobbyId, session_id: sessionId, reason });
  }

  leaveAll(sessionId: SessionId, reason: string): void {
    for (const lobbyId of this.lobbiesOf(sessionId)) this.leave(lobbyId, sessionId, reason);
  }

  /** Set mute/speaking; returns the full state, or null when nothing changed. */
  updateState(
    lobbyId: string,
    sessionId: SessionId,
    patch: Partial<ParticipantState>,
  ): ParticipantState | null {
    const state = this.members.get(lobbyId as LobbyId)?.get(sessionId);
    if (!state) throw new AppError('not_in_lobby');
    const next = { muted: patch.muted ?? state.muted, speaking: patch.speaking ?? state.speaking };
    if (next.muted === state.muted && next.speaking === state.speaking) return null;
    state.muted = next.muted;
    state.speaking = next.speaking;
    return { ...next };
  }

  /** Admin: close a lobby; its participants leave first. */
  delete(lobbyId: string, reason: string): void {
    const { store, bus } = this.deps;
    const lobby = this.require(lobbyId);
    atomically(store, bus, () => {
      for (const sessionId of this.memberIds(lobby.id)) this.leave(lobby.id, sessionId, 'lobby_closed');
      store.deleteLobby(lobby.id);
      bus.emit('lobby.deleted', { lobby_id: lobby.id, reason });
    });
  }

  isMember(lobbyId: string, sessionId: string): boolean {
    return this.members.get(lobbyId as LobbyId)?.has(sessionId as SessionId) ?? false;
  }

  /** Both sessions are participants of the lobby (one map lookup: the relay check). */
  areMembers(lobbyId: string, a: string, b: string): boolean {
    const members = this.members.get(lobbyId as LobbyId);
    return members !== undefined && members.has(a as SessionId) && members.has(b as SessionId);
  }

  memberIds(lobbyId: string): SessionId[] {
    return [...(this.members.get(lobbyId as LobbyId)?.keys() ?? [])];
  }

  lobbiesOf(sessionId: SessionId): LobbyId[] {
    return [...(this.lobbiesBySession.get(sessionId) ?? [])];
  }

  participants(lobbyId: string): Participant[] {
    const members = this.members.get(lobbyId as LobbyId);
    return members ? [...members].map(([id, state]) => this.participant(id, state)) : [];
  }

  participant(sessionId: SessionId, state: ParticipantState = this.stateOf(sessionId)): Participant {
    const session = this.deps.sessions.require(sessionId);
    return { session_id: sessionId, name: session.name ?? '', is_bot: session.isBot, state: { ...state } };
  }

  stats(): { live_lobbies: number; participants: number } {
    let participants = 0;
    for (const members of this.members.values()) participants += members.size;
    return { live_lobbies: this.members.size, participants };
  }

  private stateOf(sessionId: SessionId): ParticipantState {
    for (const lobbyId of this.lobbiesBySession.get(sessionId) ?? []) {
      const state = this.members.get(lobbyId)?.get(sessionId);
      if (state) return state;
    }
    return { muted: false, speaking: false };
  }
}
