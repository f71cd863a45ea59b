/**
 * The media pieces of the bot SDK without a server: real espeak-ng speech, real Opus, real
 * werift WebRTC between two peers, real PocketSphinx.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AudioPacer, type OutboundPacket } from '../../src/bots/audio/pacer.ts';
import { concat, FRAME_SAMPLES, mix, RATE, rms, silence } from '../../src/bots/audio/pcm.ts';
import { UtteranceSegmenter, type Utterance } from '../../src/bots/audio/vad.ts';
import { PocketSphinxStt } from '../../src/bots/plugins/stt-pocketsphinx.ts';
import { PeerLink } from '../../src/bots/rtc/peer.ts';
import { sentences } from '../../src/bots/sentences.ts';
import { ruleReply } from '../../src/bots/plugins/llm-rules.ts';
import { grammar, normalise, SENTENCES, speech48k, sttSkipReason, waitFor } from './helpers.ts';

test(
  'espeak-ng speech comes back exact from PocketSphinx with a JSGF grammar',
  { skip: sttSkipReason() },
  async () => {
    const stt = new PocketSphinxStt({ jsgf: grammar() });
    try {
      for (const text of [SENTENCES.fox, SENTENCES.meeting]) {
        const samples = await speech48k(text);
        assert.ok(samples.length > RATE / 2, 'espeak-ng produced at least half a second');
        assert.equal(normalise(await stt.transcribe({ samples, rate: RATE })), text);
      }
      // and it can fail: silence is not a sentence
      assert.equal(await stt.transcribe({ samples: silence(1000), rate: RATE }), '');
    } finally {
      stt.close();
    }
  },
);

/** Feed two streams to two segmenters frame by frame on a simulated clock. */
function segment(streams: Int16Array[], noiseDb = -70) {
  const results: Utterance[][] = streams.map(() => []);
  const starts: number[][] = streams.map(() => []);
  const segs = streams.map(
    (_, i) =>
      new UtteranceSegmenter({
        onUtterance: (u) => results[i]!.push(u),
        onSpeechStart: (at) => starts[i]!.push(at),
      }),
  );
  const amplitude = 32768 * 10 ** (noiseDb / 20);
  const total = Math.max(...streams.map((s) => s.length));
  const t0 = 1_000_000;
  for (let offset = 0, frame = 0; offset < total; offset += FRAME_SAMPLES, frame++) {
    streams.forEach((stream, i) => {
      const chunk = new Int16Array(FRAME_SAMPLES);
      chunk.set(stream.subarray(offset, offset + FRAME_SAMPLES));
      for (let k = 0; k < chunk.length; k++)
        chunk[k] = chunk[k]! + Math.round((Math.random() * 2 - 1) * amplitude);
      segs[i]!.push(chunk, t0 + frame * 20);
    });
  }
  return { results, starts };
}

test(
  'per-peer VAD: two people speaking at once give two utterances, each the right sentence',
  { skip: sttSkipReason() },
  async () => {
    const a = concat([silence(300), await speech48k(SENTENCES.fox), silence(1200)]);
    const b = concat([silence(1100), await speech48k(SENTENCES.morning), silence(1500)]);
    const { results, starts } = segment([a, b], -60);
    assert.equal(results[0]!.length, 1, 'speaker A: one utterance (pauses between words do not split it)');
    assert.equal(results[1]!.length, 1, 'speaker B: one utterance');
    const [ua] = results[0]!;
    const [ub] = results[1]!;
    assert.ok(ub!.startedAt < ua!.lastVoiceAt, 'the two utterances overlap in time');
    assert.ok(
      Math.abs(starts[0]![0]! - (1_000_000 + 300 + 60)) <= 80,
      `A starts near 300 ms (${starts[0]![0]! - 1_000_000})`,
    );
    const stt = new PocketSphinxStt({ jsgf: grammar() });
    try {
      assert.equal(normalise(await stt.transcribe({ samples: ua!.samples, rate: RATE })), SENTENCES.fox);
      assert.equal(normalise(await stt.transcribe({ samples: ub!.samples, rate: RATE })), SENTENCES.morning);
      // the mixed signal (what one shared stream would give) is not both sentences
      const mixed = normalise(await stt.transcribe({ samples: mix(a, b), rate: RATE }));
      assert.notEqual(mixed, `${SENTENCES.fox} ${SENTENCES.morning}`);
    } finally {
      stt.close();
    }
  },
);

test('VAD ignores clicks and steady noise, and ends an utterance when the stream stops', () => {
  const click = new Int16Array(FRAME_SAMPLES).fill(20000);
  const noisy = concat([silence(500), click, silence(2000)]);
  const { results } = segment([noisy], -35);
  assert.equal(results[0]!.length, 0, 'a 20 ms click and steady noise are no utterance');

  const got: Utterance[] = [];
  const seg = new UtteranceSegmenter({ onUtterance: (u) => got.push(u) });
  const tone = new Int16Array(RATE / 2);
  for (let i = 0; i < tone.length; i++) tone[i] = Math.round(6000 * Math.sin((i * 2 * Math.PI * 300) / RATE));
  let t = 5000;
  for (let o = 0; o < tone.length; o += FRAME_SAMPLES, t += 20)
    seg.push(tone.subarray(o, o + FRAME_SAMPLES), t);
  assert.equal(got.length, 0);
  seg.tick(t + 1000); // packets stopped (DTX, mute): missing time counts as silence
  assert.equal(got.length, 1);
  assert.ok(
    Math.abs(got[0]!.samples.length / 48 - 500 - 300) < 260,
    `about the tone plus pre-roll and tail (${got[0]!.samples.length / 48} ms)`,
  );
});

test('the pacer sends one 960-sample frame every 20 ms without drift, and marks talkspurts', async () => {
  const sent: { at: number; p: OutboundPacket }[] = [];
  const pacer = new AudioPacer((p) => sent.push({ at: performance.now(), p }));
  // CI machines are shared: the bounds below widen by the worst stall of this event loop
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const stall = () => lag.max / 1e6;
  const start = performance.now();
  const result = await pacer.play(new Int16Array(RATE * 2)); // 2 s = 100 frames
  assert.equal(result.interrupted, false);
  assert.equal(sent.length, 100);
  const span = sent.at(-1)!.at - sent[0]!.at;
  // drift-corrected: the span stays 1980 ms even though each timer fires late (generous bound: CI is shared)
  assert.ok(
    Math.abs(span - 99 * 20) < 60 + stall(),
    `100 frames span ${span.toFixed(1)} ms (expected 1980, worst stall ${stall().toFixed(0)} ms)`,
  );
  assert.ok(sent[0]!.at - start < 15 + stall(), 'the first frame goes out at once');
  for (let i = 1; i < sent.length; i++)
    assert.equal((sent[i]!.p.timestamp - sent[i - 1]!.p.timestamp) >>> 0, FRAME_SAMPLES);
  assert.equal(sent[0]!.p.marker, true);
  assert.equal(sent.filter((s) => s.p.marker).length, 1);
  // after 200 ms idle the timestamp jumps by the idle time and the next packet is a new talkspurt
  await new Promise((r) => setTimeout(r, 200));
  const before = sent.length;
  const second = pacer.play(new Int16Array(RATE));
  await new Promise((r) => setTimeout(r, 100));
  pacer.stop(); // barge-in
  assert.equal((await second).interrupted, true);
  const after = sent.slice(before);
  assert.ok(
    after.length >= 2 && after.length <= 8 + stall() / 20,
    `stop() cut it short (${after.length} of 50 frames)`,
  );
  assert.equal(after[0]!.p.marker, true);
  const jump = (after[0]!.p.timestamp - sent[before - 1]!.p.timestamp) >>> 0;
  assert.ok(
    jump >= 10 * FRAME_SAMPLES && jump <= (14 + stall() / 20) * FRAME_SAMPLES,
    `timestamp jumped ${jump / 48} ms`,
  );
  pacer.close();
  lag.disable();
});

test(
  'werift to werift: speech sent over real WebRTC with Opus is recovered by PocketSphinx',
  { skip: sttSkipReason() },
  async () => {
    const utterances: Utterance[] = [];
    const seg = new UtteranceSegmenter({ onUtterance: (u) => utterances.push(u) });
    let a!: PeerLink;
    let b!: PeerLink;
    a = new PeerLink({
      peerId: 'b',
      iceServers: [],
      onAudio() {},
      onDescription: (d) => void b.handleDescription(d),
      onCandidate: (c) => void b.handleCandidate(c),
    });
    b = new PeerLink({
      peerId: 'a',
      iceServers: [],
      onAudio: (s, at) => seg.push(s, at),
      onDescription: (d) => void a.handleDescription(d),
      onCandidate: (c) => void a.handleCandidate(c),
    });
    const tick = setInterval(() => seg.tick(), 100);
    try {
      assert.equal(a.pc.config.iceServers.length, 0, 'no default public STUN server');
      await a.makeOffer();
      await waitFor('connection', () => a.connected && b.connected, 10_000);
      assert.equal(a.opusPt, b.opusPt);
      assert.ok(a.opusPt !== undefined, 'the Opus payload type was read from the SDP');
      const pacer = new AudioPacer((p) => a.send(p));
      const speech = await speech48k(SENTENCES.meeting);
      await pacer.play(speech);
      await waitFor('utterance', () => utterances.length > 0, 5000);
      pacer.close();
      assert.equal(utterances.length, 1);
      assert.ok(
        b.packetsIn >= Math.floor(speech.length / FRAME_SAMPLES) - 2,
        `received ${b.packetsIn} packets`,
      );
      assert.ok(rms(utterances[0]!.samples) > 300, 'the received audio has energy');
      const stt = new PocketSphinxStt({ jsgf: grammar() });
      assert.equal(
        normalise(await stt.transcribe({ samples: utterances[0]!.samples, rate: RATE })),
        SENTENCES.meeting,
      );
      stt.close();
    } finally {
      clearInterval(tick);
      await a.close();
      await b.close();
    }
  },
);

test('streamed text is cut into sentences as soon as each one is complete', async () => {
  async function* deltas() {
    for (const d of ['Hello there', '. How are', ' you today? I am', ' fine', '.']) yield d;
  }
  const out: string[] = [];
  for await (const s of sentences(deltas())) out.push(s);
  assert.deepEqual(out, ['Hello there.', 'How are you today?', 'I am fine.']);
  assert.match(
    ruleReply([{ role: 'user', content: 'Alice: assistant what is two plus three' }]),
    /That is 5\./,
  );
  assert.match(
    ruleReply(
      [{ role: 'user', content: 'Bob: assistant what time is it' }],
      new Date('2026-01-01T09:05:00Z'),
    ),
    /9 05 UTC/,
  );
});
