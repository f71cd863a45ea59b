/**
 * The offline default "LLM": a small rule-based responder, so the assistant works with no model.
 * It streams its answer word by word like a real model would.
 */
import type { ChatTurn, LanguageModel } from './types.ts';

const NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function num(word: string): number | undefined {
  const n = NUMBERS.indexOf(word);
  if (n >= 0) return n;
  return /^-?\d+(\.\d+)?$/.test(word) ? Number(word) : undefined;
}

export function ruleReply(turns: ChatTurn[], now = new Date()): string {
  const last = [...turns].reverse().find((t) => t.role === 'user')?.content ?? '';
  const text = last.toLowerCase().replace(/[^\p{L}\p{N}\s.+*\/-]/gu, ' ');
  const earlier = turns.filter((t) => t.role === 'user').length - 1;
  const arith = /(-?[\w.]+)\s+(plus|minus|times|\+|-|\*|divided by|\/)\s+(-?[\w.]+)/.exec(text);
  if (arith) {
    const a = num(arith[1]!);
    const b = num(arith[3]!);
    if (a !== undefined && b !== undefined) {
      const op = arith[2]!;
      const r =
        op === 'plus' || op === '+'
          ? a + b
          : op === 'minus' || op === '-'
            ? a - b
            : op === 'times' || op === '*'
              ? a * b
              : b === 0
                ? NaN
                : a / b;
      return Number.isFinite(r) ? `That is ${Math.round(r * 1000) / 1000}.` : 'I cannot divide by zero.';
    }
  }
  if (/\b(hello|hi|hey|good (morning|afternoon|evening))\b/.test(text))
    return 'Hello! How can I help you today?';
  if (/\btime\b/.test(text))
    return `It is ${now.getUTCHours()} ${String(now.getUTCMinutes()).padStart(2, '0')} UTC.`;
  if (/\b(date|day is it|today)\b/.test(text)) return `Today is ${now.toUTCString().slice(0, 16)}.`;
  if (/\bweather\b/.test(text)) return 'I cannot see the weather from here. I run fully offline.';
  if (/\b(your name|who are you)\b/.test(text))
    return 'I am the assistant bot of this lobby. I listen, think and speak.';
  if (/\b(what can you do|help)\b/.test(text))
    return 'I can answer simple questions, tell the time, and do small sums. Say my name to talk to me.';
  if (/\b(thank|thanks)\b/.test(text)) return 'You are welcome.';
  if (/\b(bye|goodbye)\b/.test(text)) return 'Goodbye!';
  if (/\b(repeat|what did i say)\b/.test(text) && earlier > 0) {
    const prev = turns.filter((t) => t.role === 'user').at(-2)?.content;
    return prev ? `You said: ${prev}` : 'You have not said anything yet.';
  }
  return `You said: ${last.trim() || 'nothing'}. I am a simple offline assistant; connect a language model for better answers.`;
}

export class RuleLlm implements LanguageModel {
  readonly id = 'rules';

  async *complete(turns: ChatTurn[], signal?: AbortSignal): AsyncIterable<string> {
    const reply = ruleReply(turns);
    for (const word of reply.split(/(?<=\s)/)) {
      signal?.throwIfAborted();
      yield word;
    }
  }
}
