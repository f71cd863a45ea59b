/** Section 2 over a real socket: welcome, names, joining, the offer rule, relay, state, chat, leaving. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, newSession, TestClient } from '../helpers/client.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;
const clients: TestClient[] = [];
before(async () => {
  server = await startServer({ env: { LOBBY_MAX_PARTICIPANTS: '3', RECONNECT_GRACE_MS: '1500' } });
});
after(async () => {
  for (const client of clients) client.close();
  await server.stop();
});

async function lobby(name: string, isPrivate = false): Promise<string> {
  const { token } = await newSession(server.url);
  const { body } = await api(server.url, 'POST', '/api/lobbies', {
    token,
    body: { name, private: isPrivate },
  });
  return body.lobby.id;
}

async function join(name: string, lobbyId: string) {
  const client = await TestClient.joined(server, name, lobbyId);
  clients.push(client);
  return client;
}

describe('welcome', () => {
  test('is the first frame, with the session, ice servers and version', async () => {
    const { id, token } = await newSession(server.url);
    const client = await TestClient.connect(server.wsUrl, token);
    clients.push(client);
    const welcome = await client.waitFor('welcome');
    assert.equal(client.frames[0]!.type, 'welcome');
    assert.equal(welcome.data.session.id, id);
    assert.equal(welcome.data.session.name, null);
    assert.deepEqual(welcome.data.ice_servers, []);
    assert.equal(welcome.data.server.version, '2.0.0');
    assert.deepEqual(welcome.data.lobby_ids, []);
    assert.equal(JSON.stringify(welcome).includes(token), false, 'the token is never echoed');
  });

  test('a bad or missing token closes with 4001', async () => {
    const bad = await TestClient.connect(server.wsUrl, 'not-a-token');
    assert.equal(await bad.waitClose(), 4001);
    const missing = await TestClient.connect(server.wsUrl, '');
    assert.equal(await missing.waitClose(), 4001);
  });

  test('a second connection with the same token replaces the first with 4002', async () => {
    const { token } = await newSession(server.url);
    const first = await TestClient.connect(server.wsUrl, token);
    await first.waitFor('welcome');
    const second = await TestClient.connect(server.wsUrl, token);
    clients.push(second);
    assert.equal(await first.waitClose(), 4002);
    assert.equal((await second.request('ping', undefined)).type, 'pong');
  });
});

describe('joining a lobby', () => {
  test('the joiner offers to everyone already there; they expect its offer', async () => {
    const lobbyId = await lobby('Offer rule');
    const alice = await join('Alice-o', lobbyId);
    const bob = await join('Bob-o', lobbyId);

    const joinedFrame = bob.ofType('lobby_joined')[0]!;
    assert.equal(joinedFrame.data.lobby.id, lobbyId);
    assert.deepEqual(joinedFrame.data.participants.map((p: any) => p.name).sort(), ['Alice-o', 'Bob-o']);

    const bobAdd = await bob.waitFor('add_peer');
    assert.deepEqual(bobAdd.data, {
      lobby_id: lobbyId,
      peer_id: alice.sessionId,
      peer_name: 'Alice-o',
      is_bot: false,
      should_create_offer: true,
    });
    const aliceAdd = await alice.waitFor('add_peer');
    assert.deepEqual(aliceAdd.data, {
      lobby_id: lobbyId,
      peer_id: bob.sessionId,
      peer_name: 'Bob-o',
      is_bot: false,
      should_create_offer: false,
    });
    const announced = await alice.waitFor('participant_joined');
    assert.equal(announced.data.participant.session_id, bob.sessionId);
    assert.deepEqual(announced.data.participant.state, { muted: false, speaking: false });

    const detail = await api(server.url, 'GET', `/api/lobbies/${lobbyId}`);
    assert.equal(detail.body.lobby.participants.length, 2);
  });

  test('errors: name_required, unknown_lobby, lobby_full', async () => {
    const lobbyId = await lobby('Small room');
    const { token } = await newSession(server.url);
    const nameless = await TestClient.connect(server.wsUrl, token);
    clients.push(nameless);
    assert.equal((await nameless.request('join_lobby', { lobby_id: lobbyId })).data.code, 'name_required');
    await nameless.request('set_name', { name: 'Nameless' }, 'name_set');
    assert.equal(
      (await nameless.request('join_lobby', { lobby_id: 'no-such-lobby' })).data.code,
      'unknown_lobby',
    );

    await join('Full-1', lobbyId);
    await join('Full-2', lobbyId);
    await join('Full-3', lobbyId);
    const late = await nameless.request('join_lobby', { lobby_id: lobbyId });
    assert.equal(late.type, 'error');
    assert.equal(late.data.code, 'lobby_full');
    assert.equal((await nameless.request('ping')).type, 'pong', 'the connection stays usable');
  });

  test('a re-join restarts peer connections both ways without a second participant_joined', async () => {
    const lobbyId = await lobby('Rejoin');
    const alice = await join('Alice-r', lobbyId);
    const bob = await join('Bob-r', lobbyId);
    await alice.waitFor('add_peer');
    await bob.waitFor('add_peer');
    const restart = alice.next('add_peer');
    const again = bob.next('add_peer');
    await bob.request('join_lobby', { lobby_id: lobbyId }, 'lobby_joined');
    assert.equal((await restart).data.peer_id, bob.sessionId);
    assert.equal((await again).data.should_create_offer, true);
    assert.equal(bob.ofType('add_peer').length, 2);
    assert.equal(alice.ofType('participant_joined').length, 1);
  });
});

describe('signaling', () => {
  test('relay_sdp and relay_ice reach the peer with the sender as peer_id', async () => {
    const lobbyId = await lobby('Relay');
    const alice = await join('Alice-s', lobbyId);
    const bob = await join('Bob-s', lobbyId);
    bob.send({
      type: 'relay_sdp',
      data: { lobby_id: lobbyId, peer_id: alice.sessionId, description: { type: 'offer', sdp: 'v=0\r\n' } },
    });
    const sdp = await alice.waitFor('sdp');
    assert.deepEqual(sdp.data, {
      lobby_id: lobbyId,
      peer_id: bob.sessionId,
      description: { type: 'offer', sdp: 'v=0\r\n' },
    });

    const candidate = {
      candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    };
    alice.send({ type: 'relay_ice', data: { lobby_id: lobbyId, peer_id: bob.sessionId, candidate } });
    const ice = await bob.waitFor('ice');
    assert.deepEqual(ice.data, { lobby_id: lobbyId, peer_id: alice.sessionId, candidate });
    alice.send({ type: 'relay_ice', data: { lobby_id: lobbyId, peer_id: bob.sessionId, candidate: null } });
    const end = await bob.waitFor((frame) => frame.type === 'ice' && frame.data.candidate === null);
    assert.equal(end.data.peer_id, alice.sessionId);
  });

  test('relay to a stranger (other lobby, unknown id, self) is unknown_peer and nothing is delivered', async () => {
    const lobbyA = await lobby('Relay A');
    const lobbyB = await lobby('Relay B');
    const alice = await join('Alice-x', lobbyA);
    const stranger = await join('Stranger-x', lobbyB);
    const candidate = {
      candidate: 'candidate:1 1 udp 1 127.0.0.1 1 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    };
    for (const [lobbyId, peer] of [
      [lobbyA, stranger.sessionId],
      [lobbyB, stranger.sessionId],
      [lobbyA, 'nobody'],
      [lobbyA, alice.sessionId],
    ]) {
      const reply = await alice.request('relay_ice', { lobby_id: lobbyId, peer_id: peer, candidate });
      assert.equal(reply.data.code, 'unknown_peer');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(stranger.ofType('ice').length, 0);
  });

  test('update_state: others get the full state on each change only', async () => {
    const lobbyId = await lobby('State');
    const alice = await join('Alice-m', lobbyId);
    const bob = await join('Bob-m', lobbyId);
    alice.send({ type: 'update_state', data: { lobby_id: lobbyId, muted: true } });
    const first = await bob.waitFor('peer_state');
    assert.deepEqual(first.data, {
      lobby_id: lobbyId,
      peer_id: alice.sessionId,
      state: { muted: true, speaking: false },
    });
    alice.send({ type: 'update_state', data: { lobby_id: lobbyId, muted: true } });
    alice.send({ type: 'update_state', data: { lobby_id: lobbyId, speaking: true } });
    const second = await bob.next((frame) => frame.type === 'peer_state');
    assert.deepEqual(second.data.state, { muted: true, speaking: true });
    assert.equal(bob.ofType('peer_state').length, 2, 'an unchanged state is not re-sent');
    assert.equal(alice.ofType('peer_state').length, 0);
    const outsider = await lobby('State other');
    assert.equal(
      (await alice.request('update_state', { lobby_id: outsider, muted: false })).data.code,
      'not_in_lobby',
    );
    const view = await api(server.url, 'GET', `/api/lobbies/${lobbyId}`);
    const aliceView = view.body.lobby.participants.find((p: any) => p.session_id === alice.sessionId);
    assert.deepEqual(aliceView.state, { muted: true, speaking: true });
  });
});

describe('chat', () => {
  test('everyone gets the message, the sender with its id; history pages with before/limit', async () => {
    const lobbyId = await lobby('Chat room');
    const alice = await join('Alice-c', lobbyId);
    const bob = await join('Bob-c', lobbyId);
    const mine = await alice.request(
      'send_chat',
      { lobby_id: lobbyId, text: '  hello <b>bob</b>  ' },
      'chat_message',
    );
    assert.equal(mine.data.text, 'hello <b>bob</b>');
    assert.equal(mine.data.sender_name, 'Alice-c');
    const theirs = await bob.waitFor('chat_message');
    assert.deepEqual(theirs.data, mine.data);

    for (let i = 0; i < 5; i++)
      await bob.request('send_chat', { lobby_id: lobbyId, text: `line ${i}` }, 'chat_message');
    const page = await api(server.url, 'GET', `/api/lobbies/${lobbyId}/chat?limit=3`);
    assert.deepEqual(
      page.body.messages.map((m: any) => m.text),
      ['line 2', 'line 3', 'line 4'],
    );
    const older = await api(
      server.url,
      'GET',
      `/api/lobbies/${lobbyId}/chat?limit=3&before=${page.body.messages[0].id}`,
    );
    assert.deepEqual(
      older.body.messages.map((m: any) => m.text),
      ['hello <b>bob</b>', 'line 0', 'line 1'],
    );
    const ws = await bob.request(
      'get_chat',
      { lobby_id: lobbyId, limit: 2, before: page.body.messages[0].id },
      'chat_history',
    );
    assert.deepEqual(
      ws.data.messages.map((m: any) => m.text),
      ['line 0', 'line 1'],
    );

    const late = await join('Carol-c', lobbyId);
    const joined = late.ofType('lobby_joined')[0]!;
    assert.equal(joined.data.chat.length, 6);
    assert.equal(joined.data.chat[5].text, 'line 4');
  });

  test('errors: not_in_lobby, invalid_message (empty, too long), unknown lobby history', async () => {
    const lobbyId = await lobby('Chat errors');
    const other = await lobby('Chat elsewhere');
    const alice = await join('Alice-e', lobbyId);
    assert.equal(
      (await alice.request('send_chat', { lobby_id: other, text: 'hi' })).data.code,
      'not_in_lobby',
    );
    assert.equal(
      (await alice.request('send_chat', { lobby_id: lobbyId, text: '   ' })).data.code,
      'invalid_message',
    );
    assert.equal(
      (await alice.request('send_chat', { lobby_id: lobbyId, text: 'x'.repeat(2001) })).data.code,
      'invalid_message',
    );
    assert.equal(
      (await alice.request('send_chat', { lobby_id: lobbyId, text: 'x'.repeat(2000) })).type,
      'chat_message',
    );
    assert.equal((await alice.request('get_chat', { lobby_id: 'nope' })).data.code, 'unknown_lobby');
    const missing = await api(server.url, 'GET', '/api/lobbies/nope/chat');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'unknown_lobby');
  });
});

describe('leaving', () => {
  test('leave_lobby: the leaver gets lobby_left, the others participant_left and remove_peer', async () => {
    const lobbyId = await lobby('Leave');
    const alice = await join('Alice-l', lobbyId);
    const bob = await join('Bob-l', lobbyId);
    await bob.request('leave_lobby', { lobby_id: lobbyId }, 'lobby_left');
    assert.deepEqual((await alice.waitFor('participant_left')).data, {
      lobby_id: lobbyId,
      session_id: bob.sessionId,
    });
    assert.deepEqual((await alice.waitFor('remove_peer')).data, {
      lobby_id: lobbyId,
      peer_id: bob.sessionId,
    });
    assert.equal((await bob.request('leave_lobby', { lobby_id: lobbyId })).data.code, 'not_in_lobby');
  });

  test('inside the grace window a reconnect is invisible; after it the others see the departure', async () => {
    const lobbyId = await lobby('Grace');
    const alice = await join('Alice-g', lobbyId);
    const bob = await join('Bob-g', lobbyId);
    bob.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const back = await TestClient.connect(server.wsUrl, bob.token);
    clients.push(back);
    const welcome = await back.waitFor('welcome');
    assert.equal(welcome.data.session.name, 'Bob-g');
    assert.deepEqual(welcome.data.lobby_ids, [lobbyId]);
    await new Promise((resolve) => setTimeout(resolve, 1800));
    assert.equal(alice.ofType('participant_left').length, 0, 'no participant_left inside the grace window');

    back.close();
    const left = await alice.waitFor('participant_left', 4000);
    assert.equal(left.data.session_id, bob.sessionId);
    // After the grace window the name is free for someone else.
    const other = await TestClient.joined(server, 'bob-G', lobbyId);
    clients.push(other);
  });
});
