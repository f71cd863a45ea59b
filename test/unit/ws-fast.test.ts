/** The hand-written hot-path validators never accept what the zod schemas reject. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRelayIceData, isRelaySdpData } from '../../src/protocol/ws-fast.ts';
import { ClientData } from '../../src/protocol/ws.ts';
import { encode, encodeRelay } from '../../src/server/ws/frames.ts';

/** Wrong types, and strings and numbers just past each limit of the schemas. */
const BAD_VALUES: unknown[] = [
  ...[undefined, null, 0, 1.5, -1, 1025, true, '', 'x', [], {}, ['a'], { a: 1 }],
  ...[65, 129, 257, 1025, 60_001].map((length) => 'y'.repeat(length)),
];

/** Every way to break one field: each bad value in each place, each key removed, one key added. */
function mutations(sample: Record<string, any>): unknown[] {
  const out: unknown[] = [null, [], 'text', 5];
  const walk = (object: Record<string, any>, rebuild: (inner: Record<string, any>) => unknown) => {
    for (const key of Object.keys(object)) {
      for (const value of BAD_VALUES) rebuild({ ...object, [key]: value });
      const { [key]: _removed, ...rest } = object;
      rebuild(rest);
      if (object[key] && typeof object[key] === 'object') {
        walk(object[key], (inner) => rebuild({ ...object, [key]: inner }));
      }
    }
    out.push(rebuild({ ...object, extra: 1 }));
  };
  walk(sample, (value) => {
    out.push(value);
    return value;
  });
  return out;
}

const cases = [
  {
    name: 'relay_ice',
    fast: isRelayIceData,
    schema: ClientData.relay_ice,
    valid: [
      { lobby_id: 'L', peer_id: 'P', candidate: null },
      { lobby_id: 'L', peer_id: 'P', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } },
      {
        lobby_id: 'L'.repeat(128),
        peer_id: 'P',
        candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' },
      },
      {
        lobby_id: 'L',
        peer_id: 'P',
        candidate: { candidate: 'c', sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
      },
    ],
  },
  {
    name: 'relay_sdp',
    fast: isRelaySdpData,
    schema: ClientData.relay_sdp,
    valid: [
      { lobby_id: 'L', peer_id: 'P', description: { type: 'offer', sdp: 'v=0\r\n' } },
      { lobby_id: 'L', peer_id: 'P', description: { type: 'rollback' } },
    ],
  },
];

for (const { name, fast, schema, valid } of cases) {
  test(`${name}: valid frames pass both checks unchanged`, () => {
    for (const sample of valid) {
      assert.equal(fast(sample), true, JSON.stringify(sample));
      const parsed = schema.safeParse(sample);
      assert.ok(parsed.success);
      assert.deepEqual(parsed.data, sample);
    }
  });

  test(`${name}: whatever the fast check accepts, zod accepts too`, () => {
    let rejected = 0;
    for (const sample of valid) {
      for (const mutation of mutations(sample as Record<string, any>)) {
        const zodOk = schema.safeParse(mutation).success;
        if (fast(mutation))
          assert.ok(zodOk, `fast check accepted ${JSON.stringify(mutation)?.slice(0, 200)}`);
        else rejected++;
      }
    }
    assert.ok(rejected > 50, `the mutations exercised the rejections (${rejected})`);
  });
}

test('encodeRelay writes exactly what encode writes', () => {
  const candidate = { candidate: 'candidate:1 "quoted" \\ \u2028', sdpMid: '0', sdpMLineIndex: 0 };
  assert.equal(
    encodeRelay('ice', 'lob"by', 'pe\\er', 'candidate', candidate).text,
    encode('ice', { lobby_id: 'lob"by', peer_id: 'pe\\er', candidate }).text,
  );
  assert.equal(
    encodeRelay('ice', 'L', 'P', 'candidate', null).text,
    encode('ice', { lobby_id: 'L', peer_id: 'P', candidate: null }).text,
  );
  const description = { type: 'answer' as const, sdp: 'v=0\r\n' };
  assert.equal(
    encodeRelay('sdp', 'L', 'P', 'description', description).text,
    encode('sdp', { lobby_id: 'L', peer_id: 'P', description }).text,
  );
});
