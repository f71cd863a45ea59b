/**
 * The browser client end to end: the real server on a free port, the built page in Debian's
 * headless Chromium with a fake microphone, real WebRTC audio between the pages.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ROOT, startServer, type RunningServer } from '../helpers/server.ts';
import {
  buildWeb,
  chromiumMissing,
  expectAudioFrom,
  inboundAudio,
  launchPerson,
  MIN_ENERGY,
  resultsDir,
  sessionId,
  type Person,
} from './browser.ts';

const skip = chromiumMissing();
if (skip) console.log(`# e2e browser tests skipped: ${skip}`);

// A small lobby capacity, so the test can fill a lobby and see lobby_full.
const SERVER_ENV = { LOBBY_MAX_PARTICIPANTS: '3' };
const XSS_NAME = '<img src=x onerror=alert(1)>';
const XSS_CHAT = '<script>alert(2)</script><img src=x onerror=alert(3)>';

async function pickName(page: Page, name: string, password?: string): Promise<void> {
  const form = page.locator('form.name-form');
  await form.getByLabel('Your name').fill(name);
  if (password) await form.getByLabel('Password (optional)').fill(password);
  await form.getByRole('button', { name: 'Save name' }).click();
}

/**
 * Joins the lobby shown. Every fake microphone plays the same beep, so with WebRTC's echo
 * cancellation on, each browser takes its own beep for the echo of the others' and cancels it
 * within seconds (measured: energy from a peer falls to ~0 after ~15 s; with processing off it
 * stays ~0.25 per second). People with headphones turn it off the same way: with the checkbox,
 * which reopens the microphone and swaps the new track into every connection.
 */
async function joinLobby(page: Page, options: { processing?: boolean } = {}): Promise<void> {
  await page.getByTestId('join').click();
  await page.getByTestId('mute').waitFor({ state: 'visible' });
  if (options.processing === false && (await page.getByTestId('processing').isVisible())) {
    await page.getByTestId('processing').uncheck();
    await page.waitForFunction(() => localStorage.getItem('voicebot.processing') === 'off');
  }
}

/** Presses Tab until `selector` has the focus (keyboard-only use). */
async function tabTo(page: Page, selector: string, max = 20): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

function participant(page: Page, id: string) {
  return page.locator(`li.participant[data-session-id="${id}"]`);
}

describe('browser client in headless Chromium', { skip }, () => {
  let server: RunningServer;
  const people: Person[] = [];
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let dave: Person;
  const ids = { alice: '', bob: '', carol: '', dave: '' };
  let lobbyUrl = '';
  const figures: Record<string, unknown> = {};
  const errorsBeforeOutage = new Map<Person, number>();

  before(async () => {
    buildWeb();
    server = await startServer({ env: SERVER_ENV });
  });

  after(async () => {
    await Promise.all(people.map((person) => person.close()));
    await server?.stop();
    console.log(`# e2e figures: ${JSON.stringify(figures)}`);
  });

  it('serves the page with a strict CSP, no-cache HTML and immutable assets', async () => {
    const page = await fetch(`${server.url}/lobby/some-id`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<script type="module" crossorigin src="\/assets\//);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /object-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${server.url}${asset}`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    figures.bundleBytes = (await js.arrayBuffer()).byteLength;
    assert.equal((await fetch(`${server.url}/assets/missing-123.js`)).status, 404);
    const api404 = await fetch(`${server.url}/api/no-such-route`);
    assert.equal(api404.status, 404);
    assert.match(api404.headers.get('content-type') ?? '', /json/);
  });

  it('two people pick names, join the same lobby and hear each other', async () => {
    alice = await launchPerson('alice');
    bob = await launchPerson('bob');
    people.push(alice, bob);

    await alice.page.goto(server.url);
    await pickName(alice.page, 'Alice');
    await alice.page.getByTestId('current-name').filter({ hasText: 'Alice' }).waitFor();
    await alice.page.getByLabel('Lobby name').fill('E2E Lobby');
    await alice.page.getByRole('button', { name: 'Create lobby' }).click();
    await alice.page.waitForURL(/\/lobby\/[^/]+$/);
    lobbyUrl = alice.page.url();
    await joinLobby(alice.page, { processing: false });
    ids.alice = await sessionId(alice.page);

    await bob.page.goto(server.url);
    await pickName(bob.page, 'Bob');
    // The public list shows the lobby with its participant count.
    const row = bob.page.locator('.lobby-list li', { hasText: 'E2E Lobby' });
    await row.getByText('1 person').waitFor({ timeout: 10_000 });
    await row.getByRole('link', { name: 'E2E Lobby' }).click();
    await bob.page.waitForURL(lobbyUrl);
    await joinLobby(bob.page, { processing: false });
    ids.bob = await sessionId(bob.page);

    await participant(alice.page, ids.bob).waitFor();
    await participant(bob.page, ids.alice).waitFor();
    const atAlice = await expectAudioFrom(alice.page, [ids.bob]);
    const atBob = await expectAudioFrom(bob.page, [ids.alice]);
    figures.twoPeople = { aliceFromBob: atAlice[ids.bob], bobFromAlice: atBob[ids.alice] };
  });

  it('a third person joins and all three pairs carry audio; a name with markup shows as text', async () => {
    carol = await launchPerson('carol');
    people.push(carol);
    await carol.page.goto(lobbyUrl);
    // Not named yet: the lobby page asks for a name first.
    await pickName(carol.page, XSS_NAME);
    await joinLobby(carol.page, { processing: false });
    ids.carol = await sessionId(carol.page);

    const [a, b, c] = await Promise.all([
      expectAudioFrom(alice.page, [ids.bob, ids.carol]),
      expectAudioFrom(bob.page, [ids.alice, ids.carol]),
      expectAudioFrom(carol.page, [ids.alice, ids.bob]),
    ]);
    figures.threePeople = {
      alice: Object.values(a).map((s) => [s.bytesReceived, +s.totalAudioEnergy.toFixed(3)]),
      bob: Object.values(b).map((s) => [s.bytesReceived, +s.totalAudioEnergy.toFixed(3)]),
      carol: Object.values(c).map((s) => [s.bytesReceived, +s.totalAudioEnergy.toFixed(3)]),
    };

    for (const viewer of [alice, bob]) {
      const name = participant(viewer.page, ids.carol).getByTestId('participant-name');
      assert.equal(await name.textContent(), XSS_NAME);
      assert.equal(await viewer.page.locator('main img').count(), 0, 'no <img> element from the name');
    }
  });

  it('mute shows on the other side, and unmute clears it', async () => {
    await bob.page.getByTestId('mute').click();
    assert.equal(await bob.page.getByTestId('mute').getAttribute('aria-pressed'), 'true');
    for (const viewer of [alice, carol]) {
      const row = participant(viewer.page, ids.bob);
      await viewer.page.waitForFunction(
        (id) =>
          document.querySelector(`li.participant[data-session-id="${id}"]`)?.getAttribute('data-muted') ===
          'true',
        ids.bob,
      );
      assert.equal(await row.getByTestId('participant-state').textContent(), 'muted');
    }
    // Muted really means silent: Bob's packets still arrive at Alice but carry no energy
    // (after what was already in flight and in the jitter buffer has played out).
    await alice.page.waitForTimeout(2000);
    const before = (await inboundAudio(alice.page))[ids.bob]!;
    await alice.page.waitForTimeout(2500);
    const whileMuted = (await inboundAudio(alice.page))[ids.bob]!;
    figures.mutedEnergyDelta = whileMuted.totalAudioEnergy - before.totalAudioEnergy;
    assert.ok(whileMuted.totalAudioEnergy - before.totalAudioEnergy < MIN_ENERGY, 'audio energy while muted');
    await bob.page.getByTestId('mute').click();
    await alice.page.waitForTimeout(1500);
    const after = (await inboundAudio(alice.page))[ids.bob]!;
    await alice.page.waitForTimeout(2500);
    const unmuted = (await inboundAudio(alice.page))[ids.bob]!;
    figures.unmutedEnergyDelta = unmuted.totalAudioEnergy - after.totalAudioEnergy;
    assert.ok(unmuted.totalAudioEnergy - after.totalAudioEnergy > MIN_ENERGY, 'audio energy after unmute');
    await alice.page.waitForFunction(
      (id) =>
        document.querySelector(`li.participant[data-session-id="${id}"]`)?.getAttribute('data-muted') ===
        'false',
      ids.bob,
    );
  });

  it('picking another microphone swaps it into the call, and it is heard', async () => {
    const select = bob.page.getByTestId('mic-select');
    const options = await select
      .locator('option')
      .evaluateAll((els) =>
        els.map((el) => ({ value: (el as HTMLOptionElement).value, label: el.textContent ?? '' })),
      );
    assert.ok(
      options.length >= 2,
      `Chromium's fake devices offer several microphones: ${JSON.stringify(options)}`,
    );
    const current = await select.inputValue();
    const other = options.find((o) => o.value !== current && o.value !== 'default')!;
    await select.selectOption(other.value);
    await bob.page.waitForFunction(() => localStorage.getItem('voicebot.mic') !== null);
    // Every connection now sends the new track.
    const senders = await bob.page.evaluate(() =>
      (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs
        .filter((pc) => pc.connectionState !== 'closed')
        .flatMap((pc) => pc.getSenders().map((sender) => sender.track?.label ?? null)),
    );
    assert.deepEqual(new Set(senders), new Set([other.label]));
    await Promise.all([expectAudioFrom(alice.page, [ids.bob]), expectAudioFrom(carol.page, [ids.bob])]);
  });

  it('speaking detected from the microphone shows on the other side', async () => {
    // The fake microphone beeps; Alice's analyser sends speaking:true at some beep.
    await bob.page.waitForFunction(
      (id) =>
        document.querySelector(`li.participant[data-session-id="${id}"]`)?.getAttribute('data-speaking') ===
        'true',
      ids.alice,
      { timeout: 10_000 },
    );
  });

  it('chat goes round, markup stays text, and history comes back after a reload', async () => {
    await alice.page.getByTestId('chat-input').fill(XSS_CHAT);
    await alice.page.getByTestId('chat-input').press('Enter');
    await bob.page.getByTestId('chat-input').fill('hello from Bob');
    await bob.page.getByRole('button', { name: 'Send' }).click();
    for (const viewer of [alice, bob, carol]) {
      const list = viewer.page.getByTestId('chat-list');
      await list.locator('.msg', { hasText: 'hello from Bob' }).waitFor();
      await list.locator('.msg .text', { hasText: '<script>' }).waitFor();
      const text = await list.locator('.msg .text').first().textContent();
      assert.equal(text, XSS_CHAT);
      assert.equal(await list.locator('script, img').count(), 0);
    }
    // Carol's messages carry her (markup) name as text.
    await carol.page.getByTestId('chat-input').fill('carol here');
    await carol.page.getByTestId('chat-input').press('Enter');
    const carolLine = alice.page.getByTestId('chat-list').locator('.msg', { hasText: 'carol here' });
    await carolLine.waitFor();
    assert.equal(await carolLine.locator('.sender').textContent(), XSS_NAME);

    const shot = join(resultsDir(), 'lobby.png');
    await alice.page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, 'the lobby screenshot was written');

    // A reload inside the grace window resumes the same session, name and lobby.
    await alice.page.reload();
    await alice.page.getByTestId('mute').waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await sessionId(alice.page), ids.alice);
    await alice.page.getByTestId('whoami-name').filter({ hasText: 'Alice' }).waitFor();
    const history = alice.page.getByTestId('chat-list');
    await history.locator('.msg', { hasText: 'hello from Bob' }).waitFor();
    await history.locator('.msg', { hasText: 'carol here' }).waitFor();
    assert.equal(await history.locator('.msg .text').first().textContent(), XSS_CHAT);
    // …and audio is set up again both ways.
    await expectAudioFrom(alice.page, [ids.bob, ids.carol]);
    await expectAudioFrom(bob.page, [ids.alice]);
  });

  it('older chat messages load on scroll', async () => {
    const input = bob.page.getByTestId('chat-input');
    for (let i = 1; i <= 60; i += 1) {
      await input.fill(`bulk message ${i}`);
      await input.press('Enter');
    }
    await carol.page.getByTestId('chat-list').locator('.msg', { hasText: 'bulk message 60' }).waitFor();
    await carol.page.reload();
    const list = carol.page.getByTestId('chat-list');
    await list.locator('.msg', { hasText: 'bulk message 60' }).waitFor({ timeout: 15_000 });
    assert.equal(await list.locator('.msg').count(), 50, 'the join brings the last 50 messages');
    assert.equal(await list.locator('.msg', { hasText: 'hello from Bob' }).count(), 0);
    await carol.page.locator('.chat-log').evaluate((el) => (el.scrollTop = 0));
    await list.locator('.msg', { hasText: 'hello from Bob' }).waitFor({ timeout: 10_000 });
    assert.equal(await list.locator('.msg').count(), 63);
  });

  it('one person leaves and the others drop its connection', async () => {
    await carol.page.getByTestId('leave').click();
    await carol.page.waitForURL(`${new URL(lobbyUrl).origin}/`);
    for (const viewer of [alice, bob]) {
      await participant(viewer.page, ids.carol).waitFor({ state: 'detached' });
      await viewer.page.locator(`audio[data-peer-id="${ids.carol}"]`).waitFor({ state: 'detached' });
      const stats = await inboundAudio(viewer.page);
      assert.equal(stats[ids.carol], undefined, `${viewer.label} still has a connection to carol`);
    }
    const stats = await inboundAudio(carol.page);
    assert.deepEqual(Object.keys(stats), []);
    await expectAudioFrom(alice.page, [ids.bob]);
  });

  it('server errors show a clear message (name_in_use)', async () => {
    await carol.page.locator('.current-name').waitFor();
    await carol.page.getByRole('button', { name: 'Change name' }).click();
    await pickName(carol.page, 'alice');
    await carol.page.locator('form.name-form .form-error', { hasText: 'already uses that name' }).waitFor();
  });

  it('microphone refused: a clear message, listen-only, and the others are still heard', async () => {
    dave = await launchPerson('dave', {
      initScript: () => {
        navigator.mediaDevices.getUserMedia = () =>
          Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      },
      viewport: { width: 390, height: 844 },
    });
    people.push(dave);
    await dave.page.goto(lobbyUrl);
    // Keyboard only: name, password, Enter; then Tab to "Join lobby" and Enter.
    await tabTo(dave.page, 'form.name-form input[name="name"]');
    await dave.page.keyboard.type('Dave');
    await dave.page.keyboard.press('Tab');
    await dave.page.keyboard.type('correct horse 1');
    await dave.page.keyboard.press('Enter');
    await dave.page.getByTestId('join').waitFor();
    await tabTo(dave.page, '[data-testid="join"]');
    await dave.page.keyboard.press('Enter');
    await dave.page.getByTestId('mute').waitFor({ state: 'visible' });
    ids.dave = await sessionId(dave.page);
    await dave.page.getByTestId('listen-only').waitFor();
    assert.match((await dave.page.getByTestId('listen-only').textContent()) ?? '', /refused.*listen-only/);
    assert.equal(await dave.page.getByTestId('mute').isDisabled(), true);
    await expectAudioFrom(dave.page, [ids.alice, ids.bob]);
    // The others see Dave as muted.
    await alice.page.waitForFunction(
      (id) =>
        document.querySelector(`li.participant[data-session-id="${id}"]`)?.getAttribute('data-muted') ===
        'true',
      ids.dave,
    );
    // Phone width: nothing overflows sideways.
    const overflow = await dave.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than a phone`);
    await dave.page.screenshot({ path: join(resultsDir(), 'lobby-phone.png'), fullPage: true });

    // Alice, Bob and Dave fill the lobby (capacity 3): Carol gets a clear lobby_full message.
    await carol.page.goto(lobbyUrl);
    await carol.page.getByTestId('join').click();
    await carol.page.getByTestId('lobby-error').filter({ hasText: 'This lobby is full' }).waitFor();
    await carol.page.getByRole('link', { name: 'Back to all lobbies' }).click();
    await carol.page.locator('.current-name').waitFor();

    await dave.page.getByTestId('leave').click();
    await participant(alice.page, ids.dave).waitFor({ state: 'detached' });
  });

  it('a protected name needs its password; with it another browser signs in to the name', async () => {
    await dave.page.getByTestId('current-name').waitFor();
    assert.match((await dave.page.locator('.current-name').textContent()) ?? '', /protected/);
    // Dave takes another name, so "Dave" is free but still protected.
    await dave.page.getByRole('button', { name: 'Change name' }).click();
    await pickName(dave.page, 'Dave Two');
    await dave.page.getByTestId('current-name').filter({ hasText: 'Dave Two' }).waitFor();

    await carol.page.getByRole('button', { name: 'Change name' }).click();
    await carol.page.locator('form.name-form').getByLabel('Your name').fill('Dave');
    await carol.page.getByRole('button', { name: 'Save name' }).click();
    await carol.page.locator('form.name-form .form-error', { hasText: 'protected by a password' }).waitFor();
    await pickName(carol.page, 'Dave', 'wrong password');
    await carol.page.locator('form.name-form .form-error', { hasText: 'protected by a password' }).waitFor();
    await pickName(carol.page, 'Dave', 'correct horse 1');
    await carol.page.getByTestId('current-name').filter({ hasText: 'Dave' }).waitFor();
    assert.match((await carol.page.locator('.current-name').textContent()) ?? '', /protected/);
  });

  it('a private lobby is not listed and is shared by its link', async () => {
    await carol.page.getByLabel('Lobby name').fill('Secret room');
    await carol.page.getByLabel(/^Private/).check();
    await carol.page.getByRole('button', { name: 'Create lobby' }).click();
    await carol.page.waitForURL(/\/lobby\//);
    await carol.page.getByTestId('lobby-title').filter({ hasText: 'Secret room' }).waitFor();
    const link = await carol.page.getByTestId('share-link').inputValue();
    assert.equal(link, carol.page.url());
    await dave.page.goto(link);
    await dave.page.getByTestId('lobby-title').filter({ hasText: 'Secret room' }).waitFor();
    assert.equal(await dave.page.locator('.title-row .badge').textContent(), 'private');
    await dave.page.goto(server.url);
    await dave.page.locator('.lobby-list li', { hasText: 'E2E Lobby' }).waitFor();
    assert.equal(await dave.page.locator('.lobby-list li', { hasText: 'Secret room' }).count(), 0);
    await carol.page.getByRole('link', { name: 'Back to all lobbies' }).click();
  });

  it('every control is labelled', async () => {
    for (const page of [alice.page, carol.page]) {
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLInputElement>('input, select, textarea, button')]
          .filter((el) => el.offsetParent !== null)
          .filter((el) => {
            if (el.tagName === 'BUTTON') return !(el.textContent?.trim() || el.getAttribute('aria-label'));
            return !(el.labels?.length || el.getAttribute('aria-label'));
          })
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      assert.deepEqual(unlabelled, []);
    }
  });

  it('the same session opened in a second tab takes over the call; "Reconnect here" takes it back', async () => {
    const second = await alice.context.newPage();
    const secondErrors: string[] = [];
    second.on('console', (m) => m.type() === 'error' && secondErrors.push(m.text()));
    second.on('pageerror', (e) => secondErrors.push(e.message));
    await second.goto(lobbyUrl);
    // Same token (localStorage), still in the lobby: the new tab resumes the call…
    await second.getByTestId('mute').waitFor({ state: 'visible', timeout: 15_000 });
    await alice.page.locator('#banner', { hasText: 'open in another tab' }).waitFor();
    assert.equal(
      await alice.page.locator('audio[data-peer-id]').count(),
      0,
      'the replaced tab keeps no call',
    );
    await Promise.all([expectAudioFrom(second, [ids.bob]), expectAudioFrom(bob.page, [ids.alice])]);
    await second.close();
    // …and the first tab takes it back on request.
    await alice.page.getByRole('button', { name: 'Reconnect here' }).click();
    await alice.page.getByTestId('mute').waitFor({ state: 'visible', timeout: 15_000 });
    await Promise.all([expectAudioFrom(alice.page, [ids.bob]), expectAudioFrom(bob.page, [ids.alice])]);
    assert.deepEqual(secondErrors, []);
  });

  it('after a network drop the page shows it, reconnects and audio flows again', async () => {
    for (const person of people) errorsBeforeOutage.set(person, person.errors.length);
    await alice.context.setOffline(true);
    await alice.page.getByTestId('reconnecting').filter({ hasText: 'offline' }).waitFor({ timeout: 10_000 });
    assert.equal(await alice.page.evaluate(() => document.body.dataset.connection), 'reconnecting');
    await alice.page.waitForTimeout(1500);
    await alice.context.setOffline(false);
    await alice.page.getByTestId('reconnecting').waitFor({ state: 'detached', timeout: 15_000 });
    await Promise.all([expectAudioFrom(alice.page, [ids.bob]), expectAudioFrom(bob.page, [ids.alice])]);
  });

  it('after a server restart the pages reconnect, rejoin and audio flows again', async () => {
    const { port, dataDir } = server;
    const stopAt = Date.now();
    await server.stop();
    figures.serverStopMs = Date.now() - stopAt;
    await alice.page.getByTestId('reconnecting').waitFor({ timeout: 10_000 });
    await bob.page.getByTestId('reconnecting').waitFor({ timeout: 10_000 });
    // The room stays on screen while it is down: chat readable, a note that it is reconnecting.
    await alice.page.getByTestId('room-status').filter({ hasText: 'Reconnecting' }).waitFor();
    assert.ok(
      await alice.page.getByTestId('chat-list').locator('.msg', { hasText: 'bulk message 60' }).isVisible(),
      'chat stays visible',
    );
    const restartAt = Date.now();
    server = await startServer({ port, dataDir, env: SERVER_ENV });
    figures.serverStartMs = Date.now() - restartAt;
    await alice.page.getByTestId('reconnecting').waitFor({ state: 'detached', timeout: 20_000 });
    await bob.page.getByTestId('reconnecting').waitFor({ state: 'detached', timeout: 20_000 });
    figures.restartToReconnectedMs = Date.now() - restartAt;
    await Promise.all([
      expectAudioFrom(alice.page, [ids.bob], 30_000),
      expectAudioFrom(bob.page, [ids.alice], 30_000),
    ]);
    figures.restartToAudioMs = Date.now() - restartAt;
    assert.equal(await participant(bob.page, ids.alice).count(), 1);
    // The reconnected lobby still works: chat after the restart.
    await bob.page.getByTestId('chat-input').fill('after restart');
    await bob.page.getByTestId('chat-input').press('Enter');
    await alice.page.getByTestId('chat-list').locator('.msg', { hasText: 'after restart' }).waitFor();
  });

  it('an operator closes the lobby and kicks a session: each page says so and stops', async () => {
    const lobbyId = decodeURIComponent(new URL(lobbyUrl).pathname.split('/').pop()!);
    const admin = { authorization: `Bearer ${server.adminToken}` };
    assert.equal(
      (await fetch(`${server.url}/api/admin/lobbies/${lobbyId}`, { method: 'DELETE', headers: admin }))
        .status,
      204,
    );
    for (const person of [alice, bob]) {
      await person.page.getByTestId('lobby-error').filter({ hasText: 'This lobby was closed' }).waitFor();
      assert.equal(
        await person.page.locator('audio[data-peer-id]').count(),
        0,
        `${person.label} kept a peer connection`,
      );
    }
    assert.equal(
      (await fetch(`${server.url}/api/admin/sessions/${ids.bob}`, { method: 'DELETE', headers: admin }))
        .status,
      204,
    );
    await bob.page.locator('#banner', { hasText: 'You were removed from this server' }).waitFor();
    await bob.page.waitForTimeout(1500);
    assert.equal(
      await bob.page.evaluate(() => document.body.dataset.connection),
      'stopped',
      'a kicked page must not reconnect',
    );
  });

  it('no page error, no unexpected console error, no dialog', () => {
    const dialogs = people.flatMap((p) => p.dialogs);
    assert.deepEqual(dialogs, [], 'an XSS payload ran');
    // While offline and while the server was down, the browser itself logs the refused
    // connections; those alone are allowed, and only from then on.
    const errors = people.flatMap((p) =>
      p.errors.filter(
        (e, index) =>
          index < (errorsBeforeOutage.get(p) ?? Infinity) ||
          !/ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED|WebSocket connection to .* failed/.test(e),
      ),
    );
    assert.deepEqual(errors, []);
  });
});

describe('bots in the browser', { skip }, () => {
  const key = 'e2e-provider-key-0123456789abcdef';
  let server: RunningServer;
  let provider: ChildProcess | undefined;
  let providerLog = '';
  let erin: Person | undefined;

  before(async () => {
    buildWeb();
    server = await startServer({ env: { BOT_PROVIDER_KEY: key } });
    // The built-in bot provider, as an operator runs it (`npm run provider`), bots in-process.
    provider = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/bots/provider-main.ts', '--server', server.url, '--inline'],
      {
        cwd: ROOT,
        env: { ...process.env, BOT_PROVIDER_KEY: key },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    provider.stdout!.on('data', (chunk: Buffer) => (providerLog += chunk.toString()));
    provider.stderr!.on('data', (chunk: Buffer) => (providerLog += chunk.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { bots } = (await (await fetch(`${server.url}/api/bots`)).json()) as { bots: { name: string }[] };
      if (bots.some((bot) => bot.name === 'announcer')) break;
      if (Date.now() > deadline) throw new Error(`the bot provider did not register:\n${providerLog}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  after(async () => {
    await erin?.close();
    if (provider && provider.exitCode === null) {
      const exited = new Promise((resolve) => provider!.once('exit', resolve));
      provider.kill('SIGTERM');
      await exited;
    }
    await server?.stop();
  });

  it('a person adds a bot from the page; it is marked as a bot, speaks a chat line they hear, and leaves on Remove', async () => {
    erin = await launchPerson('erin');
    await erin.page.goto(server.url);
    await pickName(erin.page, 'Erin');
    await erin.page.getByLabel('Lobby name').fill('Bot corner');
    await erin.page.getByRole('button', { name: 'Create lobby' }).click();
    await erin.page.waitForURL(/\/lobby\//);
    await joinLobby(erin.page, { processing: false });

    await erin.page.getByLabel('Bot', { exact: true }).selectOption('announcer');
    await erin.page.getByRole('button', { name: 'Add bot' }).click();
    const botRow = erin.page.locator('li.participant', { has: erin.page.getByTestId('bot-badge') });
    await botRow.waitFor({ timeout: 20_000 });
    assert.equal(await botRow.getByTestId('participant-name').textContent(), 'Announcer');
    const botId = (await botRow.getAttribute('data-session-id'))!;
    await erin.page.waitForFunction(
      (id) =>
        document.querySelector(`li.participant[data-session-id="${id}"]`)?.getAttribute('data-connection') ===
        'connected',
      botId,
      { timeout: 20_000 },
    );

    // The announcer reads chat aloud (espeak-ng in the provider, Opus over WebRTC to Chromium).
    await erin.page
      .getByTestId('chat-input')
      .fill('Hello from the browser, this is a test of the announcer.');
    await erin.page.getByTestId('chat-input').press('Enter');
    const heard = await expectAudioFrom(erin.page, [botId], 20_000);
    assert.ok(heard[botId]!.totalAudioEnergy > MIN_ENERGY);
    await erin.page.waitForFunction(
      (id) =>
        document.querySelector(`li.participant[data-session-id="${id}"]`)?.getAttribute('data-speaking') ===
        'true',
      botId,
      { timeout: 10_000 },
    );

    await botRow.getByRole('button', { name: 'Remove bot Announcer' }).click();
    await botRow.waitFor({ state: 'detached', timeout: 15_000 });
    await erin.page.locator(`audio[data-peer-id="${botId}"]`).waitFor({ state: 'detached' });
    assert.deepEqual(erin.errors, []);
  });
});
