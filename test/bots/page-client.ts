/**
 * A minimal browser participant for the Chromium tests, run inside the page: the real `/ws`
 * signaling, RTCPeerConnection with the (fake) microphone, an unmuted playing <audio> per remote
 * stream (so getStats shows inbound energy), and a WebAudio capture of each remote stream.
 * Kept as a plain function so `page.evaluate` can ship it.
 */
export function pageClient(opts: { token: string; lobbyId: string; name: string }) {
  type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const w = window as Any;
  const state: Any = { chat: [], peers: {}, names: {}, errors: [], joined: false, captured: {} };
  w.state = state;
  const ctx = new AudioContext({ sampleRate: 48000 });
  let ice: RTCIceServer[] = [];
  const ws = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(opts.token)}`);
  const send = (type: string, data: Any) => ws.send(JSON.stringify({ type, data }));
  const micPromise = navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });

  function capture(peerId: string, stream: MediaStream) {
    const source = ctx.createMediaStreamSource(stream);
    const node = ctx.createScriptProcessor(4096, 1, 1);
    const chunks: Float32Array[] = [];
    state.captured[peerId] = chunks;
    node.onaudioprocess = (e) => chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
    source.connect(node);
    node.connect(ctx.destination);
  }

  async function peer(peerId: string): Promise<RTCPeerConnection> {
    if (state.peers[peerId]) return state.peers[peerId];
    const pc = new RTCPeerConnection({ iceServers: ice });
    state.peers[peerId] = pc;
    const mic = await micPromise;
    for (const track of mic.getAudioTracks()) pc.addTrack(track, mic);
    pc.onicecandidate = (e) =>
      send('relay_ice', {
        lobby_id: opts.lobbyId,
        peer_id: peerId,
        candidate: e.candidate ? e.candidate.toJSON() : null,
      });
    pc.ontrack = (e) => {
      const stream = e.streams[0] ?? new MediaStream([e.track]);
      const audio = document.createElement('audio');
      audio.autoplay = true;
      audio.srcObject = stream;
      document.body.appendChild(audio);
      void audio.play().catch((err) => state.errors.push(String(err)));
      capture(peerId, stream);
    };
    return pc;
  }

  ws.onmessage = async (event) => {
    const frame = JSON.parse(event.data);
    const d = frame.data;
    try {
      switch (frame.type) {
        case 'welcome':
          ice = d.ice_servers;
          send('set_name', { name: opts.name });
          send('join_lobby', { lobby_id: opts.lobbyId });
          break;
        case 'lobby_joined':
          state.joined = true;
          break;
        case 'add_peer': {
          state.names[d.peer_id] = d.peer_name;
          const old = state.peers[d.peer_id];
          if (old) old.close();
          delete state.peers[d.peer_id];
          const pc = await peer(d.peer_id);
          if (d.should_create_offer) {
            await pc.setLocalDescription(await pc.createOffer());
            send('relay_sdp', {
              lobby_id: opts.lobbyId,
              peer_id: d.peer_id,
              description: pc.localDescription!.toJSON(),
            });
          }
          break;
        }
        case 'sdp': {
          const pc = await peer(d.peer_id);
          await pc.setRemoteDescription(d.description);
          if (d.description.type === 'offer') {
            await pc.setLocalDescription(await pc.createAnswer());
            send('relay_sdp', {
              lobby_id: opts.lobbyId,
              peer_id: d.peer_id,
              description: pc.localDescription!.toJSON(),
            });
          }
          break;
        }
        case 'ice':
          if (d.candidate) await (await peer(d.peer_id)).addIceCandidate(d.candidate);
          break;
        case 'chat_message':
          state.chat.push(d);
          break;
        case 'error':
          state.errors.push(d.code);
          break;
      }
    } catch (err) {
      state.errors.push(String(err));
    }
  };

  w.sendChat = (text: string) => send('send_chat', { lobby_id: opts.lobbyId, text });
  w.connectedTo = (peerId: string) => state.peers[peerId]?.connectionState === 'connected';
  /** Inbound audio energy from a peer (needs a playing <audio>). */
  w.inboundEnergy = async (peerId: string) => {
    const pc: RTCPeerConnection | undefined = state.peers[peerId];
    if (!pc) return 0;
    let energy = 0;
    (await pc.getStats()).forEach((s: Any) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') energy += s.totalAudioEnergy ?? 0;
    });
    return energy;
  };
  /** What WebAudio captured from a peer since `fromChunk`, as base64 16-bit PCM at the context rate. */
  w.captured = (peerId: string, fromChunk = 0) => {
    const chunks: Float32Array[] = (state.captured[peerId] ?? []).slice(fromChunk);
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const pcm = new Int16Array(total);
    let o = 0;
    for (const c of chunks)
      for (let i = 0; i < c.length; i++)
        pcm[o++] = Math.max(-32768, Math.min(32767, Math.round(c[i]! * 32767)));
    let bin = '';
    const bytes = new Uint8Array(pcm.buffer);
    for (let i = 0; i < bytes.length; i += 0x8000)
      bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { rate: ctx.sampleRate, chunks: (state.captured[peerId] ?? []).length, pcm: btoa(bin) };
  };
}
