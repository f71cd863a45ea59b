/**
 * The built-in bots' own logic, on a recording context (no server, no audio): who the assistant
 * answers, its memory, what the announcer reads. Their media behaviour is tested for real in
 * lobby.test.ts and chromium.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { announcerBot, assistantBot, transcriberBot } from '../../src/bots/builtin/index.ts';
import { MEMORY_TURNS } from '../../src/bots/builtin/assistant.ts';
import { RuleLlm } from '../../src/bots/plugins/llm-rules.ts';
import type { ChatTurn } from '../../src/bots/plugins/types.ts';
import type { BotContext, BotHooks, Peer } from '../../src/bots/sdk.ts';

function recorder(peers: Peer[]) {
  const said: string[] = [];
  const chats: string[] = [];
  const prompts: ChatTurn[][] = [];
  const rules = new RuleLlm();
  const ctx: BotContext = {
    name: 'Assistant',
    sessionId: 'me',
    lobbyId: 'L',
    plugins: {
      tts: { id: 't', synthesize: async () => ({ samples: new Int16Array(0), rate: 48_000 }) },
      stt: { id: 's', transcribe: async () => '' },
      llm: {
        id: 'rules',
        complete: (turns, signal) => {
          prompts.push(turns.map((t) => ({ ...t })));
          return rules.complete(turns, signal);
        },
      },
    },
    participants: () => peers,
    say: async (text) => {
      let all = '';
      if (typeof text === 'string') all = text;
      else for await (const d of text) all += d;
      said.push(all);
      return { interrupted: false, spoken: 1 };
    },
    play: async () => ({ interrupted: false }),
    stopSpeaking: () => {},
    speaking: false,
    sendChat: async (text) => void chats.push(text),
    leave: async () => {},
    log: () => {},
    reportProblem: async (_s, m) => void chats.push(m),
  };
  return { ctx, said, chats, prompts };
}

const ann: Peer = { id: 'a', name: 'Ann', isBot: false };
const bob: Peer = { id: 'b', name: 'Bob', isBot: false };
const scribe: Peer = { id: 's', name: 'Transcriber', isBot: true };
const chat = (from: Peer, text: string) => ({
  id: 'm',
  lobby_id: 'L',
  sender_id: from.id,
  sender_name: from.name,
  text,
  sent_at: '',
});

test('assistant: answers its name, not other talk among several humans, and never a bot', async () => {
  const r = recorder([ann, bob, scribe]);
  const hooks = assistantBot.create(r.ctx) as Required<BotHooks>;
  await hooks.onUtterance(ann, 'what time is it', undefined as never);
  assert.equal(r.said.length, 0, 'not addressed, two humans: silent');
  await hooks.onUtterance(ann, 'assistant what is two plus three', undefined as never);
  assert.deepEqual(r.said, ['That is 5.']);
  assert.deepEqual(r.chats, ['That is 5.']);
  await hooks.onChat(chat(scribe, 'Ann: assistant what is two plus three'));
  assert.equal(r.said.length, 1, 'a transcript line from a bot is not a question');
  await hooks.onChat(chat(bob, 'hey Assistant, hello'));
  assert.equal(r.chats.at(-1), 'Hello! How can I help you today?');
  const last = r.prompts.at(-1)!;
  assert.equal(last[0]!.role, 'system');
  assert.deepEqual(
    last.slice(1).map((t) => t.content),
    ['Ann: assistant what is two plus three', 'That is 5.', 'Bob: hey Assistant, hello'],
  );
});

test('assistant: alone with one human it answers everything; memory is bounded', async () => {
  const r = recorder([ann]);
  const hooks = assistantBot.create(r.ctx) as Required<BotHooks>;
  for (let i = 0; i < MEMORY_TURNS + 4; i++)
    await hooks.onUtterance(ann, `hello number ${i}`, undefined as never);
  assert.equal(r.said.length, MEMORY_TURNS + 4);
  assert.ok(r.prompts.at(-1)!.length <= MEMORY_TURNS + 1, 'system prompt plus at most the memory');
});

test('announcer reads people, not bots; transcriber writes "Name: text"', async () => {
  const r = recorder([ann, scribe]);
  const hooks = announcerBot.create(r.ctx) as Required<BotHooks>;
  hooks.onChat(chat(ann, 'lunch is ready'));
  hooks.onChat(chat(scribe, 'Ann: lunch is ready'));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(r.said, ['Ann says, lunch is ready']);
  const t = recorder([ann]);
  await (transcriberBot.create(t.ctx) as Required<BotHooks>).onUtterance(
    ann,
    'good morning everyone',
    undefined as never,
  );
  assert.deepEqual(t.chats, ['Ann: good morning everyone']);
});
