/**
 * Test-side lobby members over the real server: sessions and lobbies through the HTTP API,
 * and a werift "human" that speaks PCM into the lobby and records what it hears, with the same
 * `/ws` signaling a browser uses. Bots are joined the way a provider joins them: with a session
 * token, a lobby id and a name.
 */
import { AudioPacer } from '../../src/bots/audio/pacer.ts';
import { rms } from '../../src/bots/audio/pcm.ts';
import { PeerLink } from '../../src/bots/rtc/peer.ts';
import { UtteranceSegmenter, type Utterance } from '../../src/bots/audio/vad.ts';
import { SignalingClient } from '../../src/bots/signaling.ts';
import type { ChatMessage } from '../../src/protocol/entities.ts';
import type { ServerFrame } from '../../src/protocol/ws.ts';

export async function createSession(url: string): Promise<{ id: string; token: string }> {
  const response = await fetch(`${url}/api/sessions`, { method: 'POST' });
  if (response.status !== 201) throw new Error(`POST /api/sessions: ${response.status}`);
  const body = (await response.json()) as { session: { id: string }; token: string };
  return { id: body.session.id, token: body.token };
}

export async function createLobby(url: string, token: string, name: string): Promise<string> {
  const response = await fetch(`${url}/api/lobbies`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, private: true }),
  });
  if (response.status !== 201)
    throw new Error(`POST /api/lobbies: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { lobby: { id: string } }).lobby.id;
}

/** One received audio packet: who from, when, how loud. */
export interface Heard {
  from: string;
  at: number;
  rms: number;
}

export class WeriftHuman {
  readonly chat: ChatMessage[] = [];
  readonly heard: Heard[] = [];
  readonly links = new Map<string, PeerLink>();
  readonly names = new Map<string, string>();
  readonly frames: ServerFrame[] = [];
  readonly utterances: (Utterance & { from: string })[] = [];
  #vads = new Map<string, UtteranceSegmenter>();
  #tick = setInterval(() => {
    setImmediate(() => {
      for (const v of this.#vads.values()) v.tick();
    });
  }, 100);
  pacer: AudioPacer;

  private constructor(
    readonly signal: SignalingClient,
    readonly id: string,
    readonly lobbyId: string,
  ) {
    this.pacer = new AudioPacer((p) => {
      for (const link of this.links.values()) link.send(p);
    });
  }

  static async join(
    url: string,
    lobbyId: string,
    name: string,
    session?: { token: string },
  ): Promise<WeriftHuman> {
    const s = session ?? (await createSession(url));
    const signal = await SignalingClient.connect({ serverUrl: url, token: s.token });
    const human = new WeriftHuman(signal, signal.welcome.session.id, lobbyId);
    signal.on((f) => human.#onFrame(f));
    await signal.request('set_name', { name });
    await signal.request('join_lobby', { lobby_id: lobbyId });
    return human;
  }

  #link(peerId: string): PeerLink {
    let link = this.links.get(peerId);
    if (link) return link;
    link = new PeerLink({
      peerId,
      iceServers: this.signal.welcome.ice_servers,
      onAudio: (samples, at) => {
        this.heard.push({ from: peerId, at, rms: rms(samples) });
        let vad = this.#vads.get(peerId);
        if (!vad) {
          vad = new UtteranceSegmenter({ onUtterance: (u) => this.utterances.push({ ...u, from: peerId }) });
          this.#vads.set(peerId, vad);
        }
        vad.push(samples, at);
      },
      onDescription: (description) =>
        this.signal.send('relay_sdp', { lobby_id: this.lobbyId, peer_id: peerId, description }),
      onCandidate: (candidate) =>
        this.signal.send('relay_ice', { lobby_id: this.lobbyId, peer_id: peerId, candidate }),
    });
    this.links.set(peerId, link);
    return link;
  }

  #onFrame(frame: ServerFrame): void {
    this.frames.push(frame);
    switch (frame.type) {
      case 'add_peer': {
        this.names.set(frame.data.peer_id, frame.data.peer_name);
        void this.links.get(frame.data.peer_id)?.close();
        this.links.delete(frame.data.peer_id);
        const link = this.#link(frame.data.peer_id);
        if (frame.data.should_create_offer) void link.makeOffer();
        return;
      }
      case 'sdp':
        void this.#link(frame.data.peer_id).handleDescription(frame.data.description);
        return;
      case 'ice':
        void this.#link(frame.data.peer_id).handleCandidate(frame.data.candidate);
        return;
      case 'remove_peer':
        void this.links.get(frame.data.peer_id)?.close();
        this.links.delete(frame.data.peer_id);
        return;
      case 'chat_message':
        this.chat.push(frame.data);
        return;
      default:
        return;
    }
  }

  connectedTo(peerId: string): boolean {
    return this.links.get(peerId)?.connected ?? false;
  }

  /** Speak 48 kHz PCM into the lobby; resolves when sent (or interrupted). */
  speak(samples: Int16Array) {
    return this.pacer.play(samples);
  }

  sendChat(text: string) {
    return this.signal.request('send_chat', { lobby_id: this.lobbyId, text });
  }

  /** Packets from `peerId` louder than `minRms` received after `since`. */
  loudFrom(peerId: string, since = 0, minRms = 200): Heard[] {
    return this.heard.filter((h) => h.from === peerId && h.at >= since && h.rms >= minRms);
  }

  async close(): Promise<void> {
    clearInterval(this.#tick);
    this.pacer.close();
    for (const link of this.links.values()) await link.close();
    await this.signal.close();
  }
}
