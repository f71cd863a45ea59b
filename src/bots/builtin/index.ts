/** The built-in bots the default provider offers. */
import type { BotDefinition } from '../sdk.ts';
import { announcerBot } from './announcer.ts';
import { assistantBot } from './assistant.ts';
import { echoBot } from './echo.ts';
import { transcriberBot } from './transcriber.ts';

export { announcerBot, assistantBot, echoBot, transcriberBot };

export const BUILTIN_BOTS: BotDefinition[] = [echoBot, announcerBot, transcriberBot, assistantBot];
