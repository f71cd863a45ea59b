/**
 * One WebRTC connection between the bot and one remote participant, with werift.
 * Audio only: the bot sends its (shared) voice on one track and receives the peer's microphone,
 * decoded to 48 kHz PCM. Signaling goes out through `onSignal`; nothing here knows the socket.
 */
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RtpHeader,
  RtpPacket,
  useOPUS,
  type RTCIceCandidate,
} from 'werift';
import { OpusDecoder } from '../audio/opus.ts';
import type { OutboundPacket } from '../audio/pacer.ts';
import type { IceServer } from '../../protocol/entities.ts';

export interface Description {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp?: string;
}

export interface CandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export interface PeerLinkOptions {
  peerId: string;
  iceServers: IceServer[];
  /** Decoded microphone audio of the peer (48 kHz mono), with its arrival time. */
  onAudio(samples: Int16Array, at: number): void;
  /** Whether this peer's audio is wanted at all (checked per packet; saves the decode when not). */
  wantsAudio?(): boolean;
  onDescription(description: Description): void;
  /** `null`: end of candidates. */
  onCandidate(candidate: CandidateInit | null): void;
  onState?(state: string): void;
  log?(message: string): void;
}

/** The Opus payload type a session description uses (`a=rtpmap:<pt> opus/48000/2`). */
export function opusPayloadType(sdp: string | undefined): number | undefined {
  const match = /a=rtpmap:(\d+) opus\/48000/i.exec(sdp ?? '');
  return match ? Number(match[1]) : undefined;
}

export class PeerLink {
  readonly peerId: string;
  readonly pc: RTCPeerConnection;
  readonly track = new MediaStreamTrack({ kind: 'audio' });
  /** Opus payload type negotiated with this peer (read from the remote SDP). */
  opusPt: number | undefined;
  packetsIn = 0;
  packetsOut = 0;
  #decoder = new OpusDecoder();
  #opts: PeerLinkOptions;
  #closed = false;
  #seq = Math.floor(Math.random() * 0xffff);
  #chain: Promise<void> = Promise.resolve();

  constructor(opts: PeerLinkOptions) {
    this.#opts = opts;
    this.peerId = opts.peerId;
    this.pc = new RTCPeerConnection({
      // Only the servers the signaling server handed out: never werift's public default.
      iceServers: opts.iceServers.map((s) => ({ ...s })),
      iceUseIpv6: false,
      codecs: { audio: [useOPUS()], video: [] },
    });
    this.pc.addTransceiver(this.track, { direction: 'sendrecv' });
    this.pc.onIceCandidate.subscribe((candidate?: RTCIceCandidate) => {
      if (this.#closed) return;
      if (!candidate) return opts.onCandidate(null);
      const json = candidate.toJSON();
      opts.onCandidate({
        candidate: json.candidate,
        sdpMid: json.sdpMid ?? null,
        sdpMLineIndex: json.sdpMLineIndex ?? null,
      });
    });
    this.pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete' && !this.#closed) opts.onCandidate(null);
    });
    this.pc.connectionStateChange.subscribe((state) => opts.onState?.(state));
    this.pc.onTrack.subscribe((track) => {
      if (track.kind !== 'audio') return;
      track.onReceiveRtp.subscribe((rtp) => {
        if (this.#closed) return;
        if (this.opusPt !== undefined && rtp.header.payloadType !== this.opusPt) return;
        if (!rtp.payload.length) return;
        this.packetsIn++;
        if (opts.wantsAudio && !opts.wantsAudio()) return;
        let pcm: Int16Array;
        try {
          pcm = this.#decoder.decode(rtp.payload);
        } catch {
          return; // a corrupt packet: skip it
        }
        opts.onAudio(pcm, Date.now());
      });
    });
  }

  /** Serialise signaling work so an offer, its answer and candidates apply in order. */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(work);
    this.#chain = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  makeOffer(): Promise<void> {
    return this.#serial(async () => {
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
      const local = this.pc.localDescription;
      this.#opts.onDescription({ type: 'offer', sdp: local?.sdp ?? offer.sdp });
    });
  }

  handleDescription(description: Description): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed || !description.sdp) return;
      if (description.type === 'offer') {
        await this.pc.setRemoteDescription({ type: 'offer', sdp: description.sdp });
        this.opusPt = opusPayloadType(description.sdp);
        // the transceiver made from the remote offer must carry our voice too
        for (const t of this.pc.getTransceivers()) {
          if (t.kind === 'audio' && t.sender.track !== this.track) {
            await t.sender.replaceTrack(this.track);
            t.setDirection('sendrecv');
          }
        }
        const answer = await this.pc.createAnswer();
        await this.pc.setLocalDescription(answer);
        this.#opts.onDescription({ type: 'answer', sdp: this.pc.localDescription?.sdp ?? answer.sdp });
      } else if (description.type === 'answer') {
        await this.pc.setRemoteDescription({ type: 'answer', sdp: description.sdp });
        this.opusPt = opusPayloadType(description.sdp);
      }
      this.#opts.log?.(`peer ${this.peerId}: opus payload type ${this.opusPt ?? 'unknown'}`);
    });
  }

  handleCandidate(candidate: CandidateInit | null): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed || !candidate || !candidate.candidate) return;
      try {
        await this.pc.addIceCandidate({
          candidate: candidate.candidate,
          sdpMid: candidate.sdpMid ?? undefined,
          sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
        });
      } catch (error) {
        this.#opts.log?.(`peer ${this.peerId}: ignored a bad candidate (${(error as Error).message})`);
      }
    });
  }

  get connected(): boolean {
    return this.pc.connectionState === 'connected';
  }

  /** Send one encoded 20 ms frame. */
  send(packet: OutboundPacket): void {
    if (this.#closed || !this.connected) return;
    const header = new RtpHeader({
      payloadType: this.opusPt ?? 111,
      sequenceNumber: this.#seq,
      timestamp: packet.timestamp,
      marker: packet.marker,
    });
    this.#seq = (this.#seq + 1) & 0xffff;
    try {
      this.track.writeRtp(new RtpPacket(header, packet.payload));
      this.packetsOut++;
    } catch (error) {
      this.#opts.log?.(`peer ${this.peerId}: send failed (${(error as Error).message})`);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.pc.close();
    } catch {
      /* already gone */
    }
    this.#decoder.close();
  }
}
