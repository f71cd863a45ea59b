/**
 * The browser client end to end: the real server on a free port, the built page in Debian's
 * headless Chromium with a fake microphone, real WebRTC audio between the pages.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startServer, type RunningServer } from '../helpers/server.ts';
import {
  buildWeb,
  chromiumMissing,
  expectAudioFrom,
  inboundAudio,
  launchPerson,
  resultsDir,
  sessionId,
  type Person,
} from './browser.ts';

const skip = chromiumMissing();
if (skip) console.log(`# e2e browser tests skipped: ${skip}`);

const XSS_NAME = '<img src=x onerror=alert(1)>';
const XSS_CHAT = '<script>alert(2)</script><img src=x onerror=alert(3)>';

async function pickName(page: Page, name: string, password?: string): Promise<void> {
  const form = page.locator('form.name-form');
  await form.getByLabel('Your name').fill(name);
  if (password) await form.getByLabel('Password (optional)').fill(password);
  await form.getByRole('button', { name: 'Save name' }).click();
}

async function joinLobby(page: Page): Promise<void> {
  await page.getByTestId('join').click();
  await page.getByTestId('mute').waitFor({ state: 'visible' });
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
  const ids: Record<string, string> = {};
  let lobbyUrl = '';
  const figures: Record<string, unknown> = {};

  before(async () => {
    buildWeb();
    server = await startServer();
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
    await joinLobby(alice.page);
    ids.alice = await sessionId(alice.page);

    await bob.page.goto(server.url);
    await pickName(bob.page, 'Bob');
    // The public list shows the lobby with its participant count.
    const row = bob.page.locator('.lobby-list li', { hasText: 'E2E Lobby' });
    await row.getByText('1 person').waitFor({ timeout: 10_000 });
    await row.getByRole('link', { name: 'E2E Lobby' }).click();
    await bob.page.waitForURL(lobbyUrl);
    await joinLobby(bob.page);
    ids.bob = await sessionId(bob.page);

    await participant(alice.page, ids.bob).waitFor();
    await participant(bob.page, ids.alice).waitFor();
    const atAlice = await expectAudioFrom(alice.page, [ids.bob]);
    const atBob = await expectAudioFrom(bob.page, [ids.alice]);
    figures.twoPeople = { aliceFromBob: atAlice[ids.bob], bobFromAlice: atBob[ids.alice] };
  });
});
