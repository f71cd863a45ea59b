/**
 * `assistant`: STT → LLM → TTS. Answers when addressed by name (by voice or in chat), or any
 * utterance when it is alone with one human. Speech starts at the first sentence of the
 * streamed answer; the full answer also goes to the chat. A human who starts speaking cuts it
 * off (barge-in, done by the runtime) and the rest of the answer is dropped. Keeps a short
 * conversation memory for its lobby.
 */
import type { ChatTurn } from '../plugins/types.ts';
import { StageError } from '../plugins/types.ts';
import { defineBot, type BotContext, type Peer } from '../sdk.ts';

export const MEMORY_TURNS = 12;

function mentions(text: string, name: string): boolean {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const names = new Set([name.toLowerCase(), 'assistant']);
  return [...names].some((n) =>
    new RegExp(`(^|[^\\p{L}\\p{N}])${escape(n)}($|[^\\p{L}\\p{N}])`, 'iu').test(text),
  );
}

export function createAssistant(ctx: BotContext) {
  const memory: ChatTurn[] = [];
  let current: AbortController | undefined;
  let chain: Promise<void> = Promise.resolve();

  const system = (): ChatTurn => ({
    role: 'system',
    content:
      `You are ${ctx.name}, a voice assistant in a group voice chat. Answer briefly (one to three short sentences), ` +
      'in plain spoken language without lists or markup. Each user message starts with the speaker name.',
  });

  async function answer(from: Peer | string, text: string, via: 'voice' | 'chat'): Promise<void> {
    current?.abort();
    const controller = new AbortController();
    current = controller;
    const speaker = typeof from === 'string' ? from : from.name;
    memory.push({ role: 'user', content: `${speaker}: ${text}` });
    while (memory.length > MEMORY_TURNS) memory.shift();
    let full = '';
    const stream = (async function* () {
      for await (const delta of ctx.plugins.llm.complete([system(), ...memory], controller.signal)) {
        full += delta;
        yield delta;
      }
    })();
    try {
      const result = await ctx.say(stream, { signal: controller.signal });
      const reply = full.trim();
      if (reply) {
        memory.push({ role: 'assistant', content: reply + (result.interrupted ? ' (interrupted)' : '') });
        await ctx.sendChat(reply);
      }
      ctx.log(`answered ${speaker} via ${via}${result.interrupted ? ' (interrupted)' : ''}`);
    } catch (error) {
      if (error instanceof StageError) {
        const what = { tts: 'speak', stt: 'understand speech', llm: 'think' }[error.stage];
        await ctx.reportProblem(error.stage, `Sorry, I cannot ${what} right now: ${error.message}`);
        return;
      }
      if (controller.signal.aborted) return;
      throw error;
    } finally {
      if (current === controller) current = undefined;
    }
  }

  const enqueue = (fn: () => Promise<void>) => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };

  return {
    onUtterance: (peer: Peer, text: string) => {
      const humans = ctx.participants().filter((p) => !p.isBot).length;
      if (!mentions(text, ctx.name) && humans > 1) return;
      // a new question replaces one still being answered
      current?.abort();
      return enqueue(() => answer(peer, text, 'voice'));
    },
    onChat: (message: { sender_id: string; sender_name: string; text: string }) => {
      if (!mentions(message.text, ctx.name)) return;
      // a transcriber's line of what someone said is already heard by voice; never answer bots
      if (ctx.participants().some((p) => p.id === message.sender_id && p.isBot)) return;
      current?.abort();
      return enqueue(() => answer(message.sender_name, message.text, 'chat'));
    },
    onLeave: () => current?.abort(),
  };
}

export const assistantBot = defineBot({
  name: 'assistant',
  description: 'A voice assistant: say its name and ask (STT → LLM → TTS); also answers in chat.',
  capabilities: ['listen', 'speak', 'chat'],
  create: (ctx) => createAssistant(ctx),
});
