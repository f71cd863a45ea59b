/**
 * The WebRTC mesh of one lobby: one RTCPeerConnection per other participant. The server says
 * who offers (`add_peer.should_create_offer`); an `add_peer` for a known peer starts that
 * connection afresh. Each connection has one audio transceiver, always `sendrecv`, so the local
 * microphone can be swapped, added or removed with `replaceTrack` and no renegotiation.
 */
import type { IceServer } from '../../src/protocol/entities.ts';
import type { ClientDataOf, ClientType } from '../../src/protocol/ws.ts';

export type PeerStatus = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

interface Peer {
  id: string;
  pc: RTCPeerConnection;
  offerer: boolean;
  audio: HTMLAudioElement;
  pendingIce: (RTCIceCandidateInit | null)[];
  restarts: number;
  failTimer: ReturnType<typeof setTimeout> | null;
}

export interface PeerHooks {
  send<T extends ClientType>(type: T, data: ClientDataOf<T>): void;
  localTrack(): MediaStreamTrack | null;
  status(peerId: string, status: PeerStatus): void;
  autoplayBlocked(): void;
}

export class PeerMesh {
  private peers = new Map<string, Peer>();

  constructor(
    readonly lobbyId: string,
    private iceServers: IceServer[],
    private readonly audioHost: HTMLElement,
    private readonly hooks: PeerHooks,
  ) {}

  setIceServers(servers: IceServer[]): void {
    this.iceServers = servers;
  }

  has(peerId: string): boolean {
    return this.peers.has(peerId);
  }

  ids(): string[] {
    return [...this.peers.keys()];
  }

  status(peerId: string): PeerStatus {
    const peer = this.peers.get(peerId);
    return peer ? toStatus(peer.pc.connectionState) : 'closed';
  }

  /** `add_peer`: (re)start the connection to `peerId`. */
  add(peerId: string, shouldOffer: boolean): void {
    this.remove(peerId);
    const peer = this.create(peerId, shouldOffer);
    if (shouldOffer) {
      const transceiver = peer.pc.addTransceiver('audio', { direction: 'sendrecv' });
      void transceiver.sender.replaceTrack(this.hooks.localTrack()).catch(() => undefined);
      void this.offer(peer, false);
    }
  }

  remove(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    this.peers.delete(peerId);
    if (peer.failTimer) clearTimeout(peer.failTimer);
    peer.pc.onicecandidate = null;
    peer.pc.ontrack = null;
    peer.pc.onconnectionstatechange = null;
    peer.pc.close();
    peer.audio.srcObject = null;
    peer.audio.remove();
    this.hooks.status(peerId, 'closed');
  }

  closeAll(): void {
    for (const id of [...this.peers.keys()]) this.remove(id);
  }

  async onSdp(peerId: string, description: RTCSessionDescriptionInit): Promise<void> {
    let peer = this.peers.get(peerId);
    try {
      if (description.type === 'offer') {
        // An offer from a peer we have not heard of yet (its add_peer may still be in flight).
        if (!peer) peer = this.create(peerId, false);
        if (peer.offerer && peer.pc.signalingState !== 'stable') return; // we offer: ignore theirs
        await peer.pc.setRemoteDescription(description);
        await this.flushIce(peer);
        const transceiver = peer.pc
          .getTransceivers()
          .find((t) => t.receiver.track.kind === 'audio' && t.currentDirection !== 'stopped');
        if (transceiver) {
          transceiver.direction = 'sendrecv';
          await transceiver.sender.replaceTrack(this.hooks.localTrack());
        }
        await peer.pc.setLocalDescription(await peer.pc.createAnswer());
        this.sendDescription(peer);
      } else if (description.type === 'answer') {
        if (!peer || peer.pc.signalingState !== 'have-local-offer') return;
        await peer.pc.setRemoteDescription(description);
        await this.flushIce(peer);
      }
    } catch (error) {
      console.warn(`negotiation with ${peerId} failed`, error);
    }
  }

  async onIce(peerId: string, candidate: RTCIceCandidateInit | null): Promise<void> {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    if (!peer.pc.remoteDescription) {
      peer.pendingIce.push(candidate);
      return;
    }
    await addCandidate(peer.pc, candidate);
  }

  /** A new microphone (or none): swap it into every connection. */
  async replaceTrack(track: MediaStreamTrack | null): Promise<void> {
    await Promise.all(
      [...this.peers.values()].flatMap((peer) =>
        peer.pc
          .getTransceivers()
          .filter((t) => t.currentDirection !== 'stopped' && t.receiver.track.kind === 'audio')
          .map((t) => t.sender.replaceTrack(track).catch(() => undefined)),
      ),
    );
  }

  /** Try to start every remote audio element again (after a user gesture). */
  resumePlayback(): void {
    for (const peer of this.peers.values()) void peer.audio.play().catch(() => undefined);
  }

  private create(peerId: string, offerer: boolean): Peer {
    const pc = new RTCPeerConnection({
      iceServers: this.iceServers as RTCIceServer[],
      bundlePolicy: 'max-bundle',
    });
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.dataset.peerId = peerId;
    this.audioHost.appendChild(audio);
    const peer: Peer = { id: peerId, pc, offerer, audio, pendingIce: [], restarts: 0, failTimer: null };
    this.peers.set(peerId, peer);

    pc.onicecandidate = (event) => {
      const candidate = event.candidate ? event.candidate.toJSON() : null;
      if (candidate && !candidate.candidate) return; // an empty end-of-generation marker
      this.hooks.send('relay_ice', {
        lobby_id: this.lobbyId,
        peer_id: peerId,
        candidate: candidate
          ? {
              candidate: candidate.candidate ?? '',
              sdpMid: candidate.sdpMid ?? null,
              sdpMLineIndex: candidate.sdpMLineIndex ?? null,
              usernameFragment: candidate.usernameFragment ?? null,
            }
          : null,
      });
    };
    pc.ontrack = (event) => {
      audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      const played = audio.play();
      played?.catch((error: unknown) => {
        if (error instanceof DOMException && error.name === 'NotAllowedError') this.hooks.autoplayBlocked();
      });
    };
    pc.onconnectionstatechange = () => {
      if (this.peers.get(peerId) !== peer) return;
      const state = pc.connectionState;
      this.hooks.status(peerId, toStatus(state));
      if (peer.failTimer) clearTimeout(peer.failTimer);
      peer.failTimer = null;
      if (state === 'connected') peer.restarts = 0;
      // The offering side repairs a broken path with an ICE restart (a few times, then waits for add_peer).
      if (peer.offerer && (state === 'failed' || state === 'disconnected')) {
        peer.failTimer = setTimeout(
          () => {
            if (this.peers.get(peerId) === peer && peer.restarts < 3 && pc.connectionState !== 'connected') {
              peer.restarts += 1;
              void this.offer(peer, true);
            }
          },
          state === 'failed' ? 0 : 4000,
        );
      }
    };
    this.hooks.status(peerId, 'connecting');
    return peer;
  }

  private async offer(peer: Peer, iceRestart: boolean): Promise<void> {
    try {
      const offer = await peer.pc.createOffer(iceRestart ? { iceRestart: true } : undefined);
      if (this.peers.get(peer.id) !== peer) return;
      await peer.pc.setLocalDescription(offer);
      this.sendDescription(peer);
    } catch (error) {
      console.warn(`offer to ${peer.id} failed`, error);
    }
  }

  private sendDescription(peer: Peer): void {
    const local = peer.pc.localDescription;
    if (!local || this.peers.get(peer.id) !== peer) return;
    this.hooks.send('relay_sdp', {
      lobby_id: this.lobbyId,
      peer_id: peer.id,
      description: { type: local.type, sdp: local.sdp },
    });
  }

  private async flushIce(peer: Peer): Promise<void> {
    const queued = peer.pendingIce.splice(0);
    for (const candidate of queued) await addCandidate(peer.pc, candidate);
  }
}

async function addCandidate(pc: RTCPeerConnection, candidate: RTCIceCandidateInit | null): Promise<void> {
  try {
    if (candidate) await pc.addIceCandidate(candidate);
    else await pc.addIceCandidate();
  } catch {
    // A candidate of an earlier negotiation of this pair: harmless, drop it.
  }
}

function toStatus(state: RTCPeerConnectionState): PeerStatus {
  return state;
}
