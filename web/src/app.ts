/**
 * Application state and the actions a person takes. Views subscribe with `onChange` and read the
 * state; all server traffic goes through here.
 */
import type { ChatMessage, IceServer, Lobby, Participant, Session } from '../../src/protocol/entities.ts';
import type { ServerFrame } from '../../src/protocol/ws.ts';
import { CHAT_PAGE_DEFAULT } from '../../src/protocol/text-rules.ts';
import { api } from './api.ts';
import { Connection, type ConnectionStatus } from './connection.ts';
import { ServerError, errorMessage } from './errors.ts';
import { LocalAudio, audioContext } from './media.ts';
import { PeerMesh, type PeerStatus } from './peers.ts';
import { store } from './store.ts';

export type Change =
  | 'session'
  | 'connection'
  | 'lobby'
  | 'participants'
  | 'chat'
  | 'chat-older'
  | 'mic'
  | 'peers'
  | 'audio-blocked';

export interface LobbyState {
  id: string;
  info: Lobby | null;
  participants: Map<string, Participant>;
  chat: ChatMessage[];
  hasOlder: boolean;
  loadingOlder: boolean;
  /** We want to be in this lobby (and rejoin it after a reconnect). */
  wanted: boolean;
  joined: boolean;
  joining: boolean;
  /** Was in it during this page's life (so a drop shows "reconnecting", not the join panel). */
  joinedOnce: boolean;
  error: string | null;
  mesh: PeerMesh;
  peerStatus: Map<string, PeerStatus>;
}

export class App {
  token: string | null = store.get('token');
  session: Session | null = null;
  iceServers: IceServer[] = [];
  status: ConnectionStatus = { kind: 'connecting' };
  lobby: LobbyState | null = null;
  nameError: string | null = null;
  audioBlocked = false;
  kickedReason: string | null = null;
  readonly local: LocalAudio;
  readonly conn: Connection;
  private listeners = new Set<(change: Change) => void>();
  private welcomeWaiters: (() => void)[] = [];
  private firstWelcome = true;

  constructor(private readonly audioHost: HTMLElement) {
    this.local = new LocalAudio((speaking) => this.onLocalSpeaking(speaking));
    this.local.processing = store.get('processing') !== 'off';
    this.conn = new Connection({
      token: () => this.ensureToken(),
      frame: (frame) => this.onFrame(frame),
      status: (status) => {
        this.status = status;
        this.emit('connection');
      },
      closed: (code) => this.onClosed(code),
    });
    // Browsers keep audio output and the analyser suspended until a gesture: resume on the first one.
    const resume = () => {
      if (audioContext().state === 'suspended')
        void audioContext()
          .resume()
          .catch(() => undefined);
      if (this.audioBlocked) this.enableAudio();
    };
    window.addEventListener('pointerdown', resume, { capture: true });
    window.addEventListener('keydown', resume, { capture: true });
    window.addEventListener('pagehide', () => {
      // Leaving the page: the session stays in the lobby for the grace window, so a reload resumes.
      this.lobby?.mesh.closeAll();
    });
  }

  start(): void {
    this.conn.start();
  }

  onChange(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: Change): void {
    for (const listener of [...this.listeners]) listener(change);
  }

  get connected(): boolean {
    return this.status.kind === 'open';
  }

  /** Resolves once the socket is open and welcomed. */
  ready(): Promise<void> {
    if (this.conn.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.welcomeWaiters.push(resolve));
  }

  // ---- names -------------------------------------------------------------------------------

  async setName(name: string, password?: string): Promise<void> {
    const data = password ? { name, password } : { name };
    const reply = await this.conn.request('set_name', data);
    if (reply.type === 'name_set') {
      store.set('name', reply.data.name);
      this.nameError = null;
    }
  }

  // ---- lobbies -----------------------------------------------------------------------------

  /** Prepares the state for lobby `id` (the lobby page), without joining it. */
  openLobby(id: string): LobbyState {
    if (this.lobby?.id === id) return this.lobby;
    if (this.lobby) this.leave();
    this.lobby = {
      id,
      info: null,
      participants: new Map(),
      chat: [],
      hasOlder: false,
      loadingOlder: false,
      wanted: false,
      joined: false,
      joining: false,
      joinedOnce: false,
      error: null,
      mesh: new PeerMesh(id, this.iceServers, this.audioHost, {
        send: (type, data) => void this.conn.send(type, data),
        localTrack: () => this.local.track,
        status: (peerId, status) => {
          const lobby = this.lobby;
          if (!lobby || lobby.id !== id) return;
          if (status === 'closed') lobby.peerStatus.delete(peerId);
          else lobby.peerStatus.set(peerId, status);
          this.emit('peers');
        },
        autoplayBlocked: () => {
          this.audioBlocked = true;
          this.emit('audio-blocked');
        },
      }),
      peerStatus: new Map(),
    };
    void this.loadLobbyInfo(id);
    return this.lobby;
  }

  private async loadLobbyInfo(id: string): Promise<void> {
    try {
      const { lobby } = await api.lobby(id);
      if (this.lobby?.id !== id) return;
      this.lobby.info = lobby;
      if (!this.lobby.joined && lobby.participants) {
        this.lobby.participants = new Map(lobby.participants.map((p) => [p.session_id, p]));
      }
      this.emit('lobby');
      this.emit('participants');
    } catch (error) {
      if (this.lobby?.id !== id) return;
      this.lobby.error = error instanceof Error ? error.message : String(error);
      this.emit('lobby');
    }
  }

  async join(id: string): Promise<void> {
    const lobby = this.openLobby(id);
    lobby.wanted = true;
    lobby.joining = true;
    lobby.error = null;
    this.emit('lobby');
    try {
      await this.withMicJoin(lobby);
    } catch (error) {
      lobby.wanted = false;
      lobby.error = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      lobby.joining = false;
      this.emit('lobby');
    }
  }

  /** Take the microphone if we may and have none yet (listen-only otherwise), then join. */
  private async withMicJoin(lobby: LobbyState): Promise<void> {
    if (!this.local.stream && this.local.problem !== 'denied') {
      await this.local.acquire(store.get('mic'));
      this.emit('mic');
    }
    await this.sendJoin(lobby);
  }

  private async sendJoin(lobby: LobbyState): Promise<void> {
    await this.conn.request('join_lobby', { lobby_id: lobby.id });
    // `lobby_joined` itself is applied in onFrame; tell the others our state.
    if (this.lobby !== lobby) return;
    const muted = this.local.muted || this.local.listenOnly;
    this.conn.send('update_state', { lobby_id: lobby.id, muted, speaking: false });
    const me = this.session && lobby.participants.get(this.session.id);
    if (me) me.state = { muted, speaking: false };
    this.emit('participants');
  }

  leave(): void {
    const lobby = this.lobby;
    if (!lobby) return;
    if (lobby.joined || lobby.wanted) this.conn.send('leave_lobby', { lobby_id: lobby.id });
    lobby.mesh.closeAll();
    this.lobby = null;
    store.set('lobby', null);
    this.local.release();
    this.emit('lobby');
  }

  async loadOlderChat(): Promise<void> {
    const lobby = this.lobby;
    if (!lobby || !lobby.joined || lobby.loadingOlder || !lobby.hasOlder) return;
    const oldest = lobby.chat[0];
    if (!oldest) return;
    lobby.loadingOlder = true;
    try {
      const reply = await this.conn.request('get_chat', {
        lobby_id: lobby.id,
        before: oldest.id,
        limit: CHAT_PAGE_DEFAULT,
      });
      if (reply.type !== 'chat_history' || this.lobby !== lobby) return;
      const known = new Set(lobby.chat.map((m) => m.id));
      const older = reply.data.messages.filter((m) => !known.has(m.id));
      lobby.chat = [...older, ...lobby.chat];
      lobby.hasOlder = reply.data.messages.length >= CHAT_PAGE_DEFAULT;
      this.emit('chat-older');
    } finally {
      lobby.loadingOlder = false;
    }
  }

  async sendChat(text: string): Promise<void> {
    const lobby = this.lobby;
    if (!lobby?.joined) throw new ServerError('not_in_lobby', 'Not in a lobby.');
    try {
      await this.conn.request('send_chat', { lobby_id: lobby.id, text });
    } catch (error) {
      // The message is shown when its chat_message arrives; a missing reply id is not a failure.
      if (error instanceof ServerError && error.code === 'timeout') return;
      throw error;
    }
  }

  // ---- microphone --------------------------------------------------------------------------

  toggleMute(): void {
    if (this.local.listenOnly) return;
    this.local.setMuted(!this.local.muted);
    this.publishState();
    this.emit('mic');
  }

  async chooseMic(deviceId: string): Promise<void> {
    await this.local.acquire(deviceId);
    store.set('mic', this.local.deviceId);
    await this.lobby?.mesh.replaceTrack(this.local.track);
    this.publishState();
    this.emit('mic');
  }

  /** Voice processing on or off: reopens the microphone with the new constraints. */
  async setProcessing(on: boolean): Promise<void> {
    this.local.processing = on;
    store.set('processing', on ? null : 'off');
    if (!this.local.stream) return;
    await this.local.acquire(this.local.deviceId);
    await this.lobby?.mesh.replaceTrack(this.local.track);
    this.publishState();
    this.emit('mic');
  }

  async retryMic(): Promise<void> {
    this.local.problem = null;
    await this.local.acquire(store.get('mic'));
    await this.lobby?.mesh.replaceTrack(this.local.track);
    this.publishState();
    this.emit('mic');
  }

  enableAudio(): void {
    this.audioBlocked = false;
    void audioContext()
      .resume()
      .catch(() => undefined);
    this.lobby?.mesh.resumePlayback();
    this.emit('audio-blocked');
  }

  private publishState(): void {
    const lobby = this.lobby;
    if (!lobby?.joined) return;
    const muted = this.local.muted || this.local.listenOnly;
    const speaking = !muted && this.local.speaking;
    this.conn.send('update_state', { lobby_id: lobby.id, muted, speaking });
    const me = this.session && lobby.participants.get(this.session.id);
    if (me) me.state = { muted, speaking };
    this.emit('participants');
  }

  private onLocalSpeaking(speaking: boolean): void {
    const lobby = this.lobby;
    if (!lobby?.joined) return;
    this.conn.send('update_state', { lobby_id: lobby.id, speaking });
    const me = this.session && lobby.participants.get(this.session.id);
    if (me) me.state = { ...me.state, speaking };
    this.emit('participants');
  }

  // ---- connection --------------------------------------------------------------------------

  private async ensureToken(): Promise<string> {
    if (this.token) return this.token;
    const { token, session } = await api.createSession();
    this.token = token;
    this.session = session;
    store.set('token', token);
    return token;
  }

  private onClosed(code: number): 'retry' | 'stop' | 'new-session' {
    this.markDisconnected();
    if (code === 4001) {
      // The server no longer knows this token (for example its data was reset): start afresh.
      this.token = null;
      store.set('token', null);
      return 'new-session';
    }
    if (code === 4002 || code === 4003) {
      // Replaced by another tab, or kicked: this page's calls are over (the other tab takes
      // over the session and the peers restart their connections to it).
      this.lobby?.mesh.closeAll();
      this.local.release();
      this.emit('mic');
      return 'stop';
    }
    return 'retry';
  }

  private markDisconnected(): void {
    if (this.lobby) {
      this.lobby.joined = false;
      this.emit('lobby');
    }
  }

  private async onWelcome(data: Extract<ServerFrame, { type: 'welcome' }>['data']): Promise<void> {
    const resumed = this.firstWelcome;
    this.firstWelcome = false;
    this.session = data.session;
    this.iceServers = data.ice_servers;
    this.lobby?.mesh.setIceServers(data.ice_servers);
    this.emit('session');
    const waiters = this.welcomeWaiters.splice(0);
    for (const resolve of waiters) resolve();

    if (!this.session.name) {
      const stored = store.get('name');
      if (stored) {
        try {
          await this.setName(stored);
        } catch (error) {
          this.nameError = error instanceof Error ? error.message : String(error);
        }
      }
    }
    this.emit('session');

    const lobby = this.lobby;
    const lobbyIds = data.lobby_ids ?? [];
    // After a drop or a server restart: back into the lobby we were in (add_peer restarts audio).
    // After a reload: only when the server still counts us in it (inside the grace window).
    const rejoin =
      lobby && (lobby.wanted || (resumed && store.get('lobby') === lobby.id && lobbyIds.includes(lobby.id)));
    if (lobby && rejoin && this.session.name) {
      lobby.wanted = true;
      try {
        await this.withMicJoin(lobby);
      } catch (error) {
        if (error instanceof ServerError && error.code === 'disconnected') return;
        lobby.wanted = false;
        lobby.error = error instanceof Error ? error.message : String(error);
        this.emit('lobby');
      }
    }
  }

  private onFrame(frame: ServerFrame): void {
    const here = (lobbyId: string): LobbyState | null =>
      this.lobby && this.lobby.id === lobbyId ? this.lobby : null;
    switch (frame.type) {
      case 'welcome':
        void this.onWelcome(frame.data);
        break;
      case 'name_set':
        if (this.session) {
          this.session = { ...this.session, name: frame.data.name, protected: frame.data.protected };
        }
        this.emit('session');
        break;
      case 'lobby_joined': {
        const lobby = here(frame.data.lobby.id);
        if (!lobby) break;
        lobby.info = frame.data.lobby;
        lobby.participants = new Map(frame.data.participants.map((p) => [p.session_id, p]));
        lobby.chat = [...frame.data.chat];
        lobby.hasOlder = frame.data.chat.length >= CHAT_PAGE_DEFAULT;
        lobby.joined = true;
        lobby.joinedOnce = true;
        lobby.wanted = true;
        lobby.error = null;
        store.set('lobby', lobby.id);
        // Connections to peers who are no longer there (for example after a server restart).
        for (const peerId of lobby.mesh.ids()) if (!lobby.participants.has(peerId)) lobby.mesh.remove(peerId);
        this.emit('lobby');
        this.emit('participants');
        this.emit('chat');
        break;
      }
      case 'lobby_left': {
        const lobby = here(frame.data.lobby_id);
        if (!lobby) break;
        lobby.joined = false;
        this.emit('lobby');
        break;
      }
      case 'participant_joined': {
        const lobby = here(frame.data.lobby_id);
        if (!lobby) break;
        lobby.participants.set(frame.data.participant.session_id, frame.data.participant);
        this.emit('participants');
        break;
      }
      case 'participant_left': {
        const lobby = here(frame.data.lobby_id);
        if (!lobby) break;
        lobby.participants.delete(frame.data.session_id);
        lobby.mesh.remove(frame.data.session_id);
        this.emit('participants');
        break;
      }
      case 'add_peer': {
        const lobby = here(frame.data.lobby_id);
        if (!lobby || frame.data.peer_id === this.session?.id) break;
        if (!lobby.participants.has(frame.data.peer_id)) {
          lobby.participants.set(frame.data.peer_id, {
            session_id: frame.data.peer_id,
            name: frame.data.peer_name,
            is_bot: frame.data.is_bot,
            state: { muted: false, speaking: false },
          });
          this.emit('participants');
        }
        lobby.mesh.add(frame.data.peer_id, frame.data.should_create_offer);
        break;
      }
      case 'remove_peer':
        here(frame.data.lobby_id)?.mesh.remove(frame.data.peer_id);
        break;
      case 'sdp':
        void here(frame.data.lobby_id)?.mesh.onSdp(
          frame.data.peer_id,
          frame.data.description as RTCSessionDescriptionInit,
        );
        break;
      case 'ice':
        void here(frame.data.lobby_id)?.mesh.onIce(
          frame.data.peer_id,
          frame.data.candidate as RTCIceCandidateInit | null,
        );
        break;
      case 'peer_state': {
        const participant = here(frame.data.lobby_id)?.participants.get(frame.data.peer_id);
        if (!participant) break;
        participant.state = frame.data.state;
        this.emit('participants');
        break;
      }
      case 'chat_message': {
        const lobby = here(frame.data.lobby_id);
        if (!lobby || lobby.chat.some((m) => m.id === frame.data.id)) break;
        lobby.chat.push(frame.data);
        this.emit('chat');
        break;
      }
      case 'lobby_closed': {
        const lobby = here(frame.data.lobby_id);
        if (!lobby) break;
        lobby.mesh.closeAll();
        lobby.joined = false;
        lobby.wanted = false;
        lobby.error = `This lobby was closed${frame.data.reason ? `: ${frame.data.reason}` : ''}.`;
        store.set('lobby', null);
        this.emit('lobby');
        break;
      }
      case 'kicked':
        this.kickedReason = frame.data.banned
          ? `You were banned from this server${frame.data.reason ? `: ${frame.data.reason}` : ''}.`
          : `You were removed from this server${frame.data.reason ? `: ${frame.data.reason}` : ''}.`;
        this.lobby?.mesh.closeAll();
        this.emit('connection');
        break;
      case 'error':
        if (frame.data.code === 'unknown_peer') break; // a peer left while we were signalling to it
        toast(errorMessage(frame.data.code, frame.data.message));
        break;
      default:
        break;
    }
  }
}

let toastHost: HTMLElement | null = null;
export function setToastHost(el: HTMLElement): void {
  toastHost = el;
}

/** A short-lived notice read out by screen readers. */
export function toast(message: string): void {
  if (!toastHost) return;
  const el = document.createElement('p');
  el.className = 'toast';
  el.textContent = message;
  toastHost.appendChild(el);
  setTimeout(() => el.remove(), 6000);
}
