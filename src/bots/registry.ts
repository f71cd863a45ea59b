/** Which bots a provider offers: the built-ins plus any modules named by the operator. */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILTIN_BOTS } from './builtin/index.ts';
import type { BotDefinition } from './sdk.ts';

function isBot(value: unknown): value is BotDefinition {
  const v = value as BotDefinition;
  return (
    !!v &&
    typeof v === 'object' &&
    typeof v.name === 'string' &&
    typeof v.create === 'function' &&
    Array.isArray(v.capabilities)
  );
}

/**
 * Load bot definitions from modules (paths or package names). A module exports `bots`
 * (an array), a default export (one bot or an array), or named bot objects.
 */
export async function loadBotModules(specs: string[]): Promise<BotDefinition[]> {
  const found: BotDefinition[] = [];
  for (const spec of specs) {
    const target = spec.startsWith('.') || isAbsolute(spec) ? pathToFileURL(resolve(spec)).href : spec;
    const mod = (await import(target)) as Record<string, unknown>;
    const candidates = [mod.bots, mod.default, ...Object.values(mod)].flatMap((v) =>
      Array.isArray(v) ? v : [v],
    );
    for (const c of candidates) if (isBot(c) && !found.includes(c)) found.push(c);
  }
  return found;
}

export async function botCatalog(modules: string[] = []): Promise<Map<string, BotDefinition>> {
  const catalog = new Map<string, BotDefinition>();
  for (const bot of [...BUILTIN_BOTS, ...(await loadBotModules(modules))]) catalog.set(bot.name, bot);
  return catalog;
}
