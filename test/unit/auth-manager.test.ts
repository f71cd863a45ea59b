import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/server/core/errors.ts';
import { createCore } from '../helpers/core.ts';

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );

test('setName validates, normalises and enforces uniqueness among active sessions', async () => {
  const { sessions, auth } = createCore();
  const a = sessions.create().session;
  const b = sessions.create().session;
  sessions.connected(a.id, null);
  sessions.connected(b.id, null);
  assert.deepEqual(await auth.setName(a.id, '  Ana  ', undefined, null), { name: 'Ana', protected: false });
  assert.equal(await codeOf(auth.setName(b.id, 'ANA', undefined, null)), 'name_in_use');
  assert.equal(await codeOf(auth.setName(b.id, '\u0007bell', undefined, null)), 'invalid_name');
  assert.equal(await codeOf(auth.setName(b.id, 'Bo', 'short', null)), 'invalid_password');
});

test('a password protects a name; the stored hash is scrypt, not the password', async () => {
  const { sessions, auth, store, delivered } = createCore();
  const a = sessions.create().session;
  assert.deepEqual(await auth.setName(a.id, 'Guarded', 'password123', null), {
    name: 'Guarded',
    protected: true,
  });
  const record = store.listProtectedNames()[0]!;
  assert.match(record.passwordHash, /^scrypt\$16384\$8\$1\$/);
  assert.equal(record.passwordHash.includes('password123'), false);
  assert.ok(delivered.some((event) => event.type === 'name.protected'));
  assert.equal(JSON.stringify(delivered).includes('password123'), false);

  const b = sessions.create().session;
  assert.equal(await codeOf(auth.setName(b.id, 'guarded', undefined, null)), 'name_protected');
  assert.equal(await codeOf(auth.setName(b.id, 'guarded', 'wrong-password', null)), 'name_protected');
  assert.deepEqual(await auth.setName(b.id, 'guarded', 'password123', null), {
    name: 'guarded',
    protected: true,
  });
  assert.equal(auth.unprotect('GUARDED', 'admin'), true);
  assert.equal(auth.isProtected('guarded'), false);
});

test('failed attempts are limited per IP across names', async () => {
  const { sessions, auth } = createCore();
  const owner = sessions.create().session;
  for (const name of ['One', 'Two', 'Three', 'Four']) await auth.setName(owner.id, name, 'password123', null);
  const guesser = sessions.create().session;
  const codes: string[] = [];
  for (const name of ['One', 'Two', 'Three', 'Four']) {
    for (let i = 0; i < 3; i++)
      codes.push(await codeOf(auth.setName(guesser.id, name, `guess-${i}-xx`, '192.0.2.9')));
  }
  assert.equal(codes.filter((code) => code === 'name_protected').length, 10, 'PASSWORD_ATTEMPTS_PER_IP = 10');
  assert.deepEqual(codes.slice(10), ['too_many_attempts', 'too_many_attempts']);
  // Another address still gets its per-name attempts.
  assert.equal(await codeOf(auth.setName(guesser.id, 'Four', 'password123', '198.51.100.1')), 'ok');
});
