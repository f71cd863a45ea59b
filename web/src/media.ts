/**
 * The local microphone: acquisition (with a listen-only fallback when it is refused), device
 * choice, mute, and speaking detection with a WebAudio analyser.
 */

export type MicProblem = 'denied' | 'missing' | 'busy' | 'unsupported' | 'other';

export interface MicResult {
  track: MediaStreamTrack | null;
  problem: MicProblem | null;
}

const SPEAKING_ON_LEVEL = 0.015; // RMS of the float samples, about -36 dBFS
const SPEAKING_OFF_AFTER_MS = 600;
const TICK_MS = 60;

let sharedContext: AudioContext | null = null;
export function audioContext(): AudioContext {
  sharedContext ??= new AudioContext();
  return sharedContext;
}

export class LocalAudio {
  stream: MediaStream | null = null;
  deviceId: string | null = null;
  muted = false;
  speaking = false;
  problem: MicProblem | null = null;
  /** Echo cancellation, noise suppression and automatic gain (off: for headphones). */
  processing = true;
  private analyser: AnalyserNode | null = null;
  private source: MediaStreamAudioSourceNode | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastLoudAt = 0;
  private samples: Float32Array<ArrayBuffer> | null = null;

  constructor(private readonly onSpeaking: (speaking: boolean) => void) {}

  get track(): MediaStreamTrack | null {
    return this.stream?.getAudioTracks()[0] ?? null;
  }

  get listenOnly(): boolean {
    return this.track === null;
  }

  /** Opens the microphone (the chosen one, else the default); never throws. */
  async acquire(deviceId?: string | null): Promise<MicResult> {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.problem = 'unsupported';
      return { track: null, problem: this.problem };
    }
    const on = this.processing;
    const audio: MediaTrackConstraints = { echoCancellation: on, noiseSuppression: on, autoGainControl: on };
    if (deviceId) audio.deviceId = { exact: deviceId };
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio, video: false });
      this.release();
      this.stream = stream;
      const track = stream.getAudioTracks()[0] ?? null;
      if (track) {
        track.enabled = !this.muted;
        this.deviceId = track.getSettings().deviceId ?? deviceId ?? null;
        track.addEventListener('ended', () => {
          if (this.track === track) {
            this.problem = 'missing';
            this.stopAnalyser();
          }
        });
      }
      this.problem = null;
      this.startAnalyser(stream);
      return { track, problem: null };
    } catch (error) {
      const name = error instanceof DOMException ? error.name : '';
      this.problem =
        name === 'NotAllowedError' || name === 'SecurityError'
          ? 'denied'
          : name === 'NotFoundError' || name === 'OverconstrainedError'
            ? 'missing'
            : name === 'NotReadableError'
              ? 'busy'
              : 'other';
      return { track: this.track, problem: this.problem };
    }
  }

  async devices(): Promise<MediaDeviceInfo[]> {
    if (!navigator.mediaDevices?.enumerateDevices) return [];
    try {
      return (await navigator.mediaDevices.enumerateDevices()).filter(
        (device) => device.kind === 'audioinput',
      );
    } catch {
      return [];
    }
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    const track = this.track;
    if (track) track.enabled = !muted;
    if (muted) this.setSpeaking(false);
  }

  release(): void {
    this.stopAnalyser();
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
  }

  private startAnalyser(stream: MediaStream): void {
    this.stopAnalyser();
    try {
      const context = audioContext();
      this.source = context.createMediaStreamSource(stream);
      this.analyser = context.createAnalyser();
      this.analyser.fftSize = 1024;
      this.samples = new Float32Array(new ArrayBuffer(this.analyser.fftSize * 4));
      this.source.connect(this.analyser);
    } catch {
      return; // no WebAudio: no speaking indicator, audio still works
    }
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  private tick(): void {
    if (!this.analyser || !this.samples) return;
    if (this.muted || !this.track?.enabled) {
      this.setSpeaking(false);
      return;
    }
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const sample of this.samples) sum += sample * sample;
    const rms = Math.sqrt(sum / this.samples.length);
    const now = performance.now();
    if (rms >= SPEAKING_ON_LEVEL) {
      this.lastLoudAt = now;
      this.setSpeaking(true);
    } else if (this.speaking && now - this.lastLoudAt > SPEAKING_OFF_AFTER_MS) {
      this.setSpeaking(false);
    }
  }

  private setSpeaking(speaking: boolean): void {
    if (speaking === this.speaking) return;
    this.speaking = speaking;
    this.onSpeaking(speaking);
  }

  private stopAnalyser(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.source?.disconnect();
    this.source = null;
    this.analyser = null;
    this.setSpeaking(false);
  }
}
