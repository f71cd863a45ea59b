/**
 * docs/protocol.md is generated (scripts/gen-protocol-doc.ts): the committed file must equal the
 * generator's output, and it must name every frame, event and error code the code knows, and
 * every one the contract (PROTOCOL.md) names.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderProtocolDoc } from '../../scripts/gen-protocol-doc.ts';
import { ERROR_CODE_LIST } from '../../src/protocol/errors.ts';
import { ProviderData, ProviderServerData } from '../../src/protocol/provider.ts';
import { CLIENT_TYPES, ServerData } from '../../src/protocol/ws.ts';
import { EVENT_TYPES } from '../../src/server/events/types.ts';
import { ROOT } from '../helpers/server.ts';

const doc = readFileSync(join(ROOT, 'docs/protocol.md'), 'utf8');

test('docs/protocol.md equals the generator output (run npm run gen:protocol-doc)', () => {
  assert.equal(doc, renderProtocolDoc());
  assert.ok(!/\{\{[A-Z_]+\}\}/.test(doc), 'no placeholder left');
});

test('docs/protocol.md documents every frame, event and error code', () => {
  const rows = new Set([...doc.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]));
  for (const type of [
    ...CLIENT_TYPES,
    ...Object.keys(ServerData),
    ...Object.keys(ProviderData),
    ...Object.keys(ProviderServerData),
    ...EVENT_TYPES,
    ...ERROR_CODE_LIST,
  ])
    assert.ok(rows.has(type), `${type} has a table row`);
  assert.match(doc, /\| `participant_updated` \|/);
  assert.match(doc, /lobby_ids: string\[\]/);
});

test(
  'everything the contract names is in docs/protocol.md',
  { skip: !existsSync(join(ROOT, '../shared/PROTOCOL.md')) },
  () => {
    const contract = readFileSync(join(ROOT, '../shared/PROTOCOL.md'), 'utf8');
    const names = new Set([...contract.matchAll(/^\| `([a-z_.]+)`/gm)].map((match) => match[1]!));
    for (const routes of contract.matchAll(/`((?:GET|POST|DELETE) \/[^`]*)`/g)) names.add(routes[1]!);
    for (const event of /`session\.created`[\s\S]*?`admin\.action`/
      .exec(contract)![0]
      .matchAll(/`([a-z]+\.[a-z]+)`/g))
      names.add(event[1]!);
    assert.ok(names.size > 40);
    for (const name of names) assert.ok(doc.includes(`\`${name}`), `${name} is in docs/protocol.md`);
  },
);
