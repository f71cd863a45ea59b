/** `transcriber`: posts each participant's utterances to the chat as "Name: text". */
import { defineBot } from '../sdk.ts';

export const transcriberBot = defineBot({
  name: 'transcriber',
  description: 'Writes what each participant says into the chat, one line per utterance.',
  capabilities: ['listen', 'chat'],
  create: (ctx) => ({
    onUtterance: async (peer, text) => {
      await ctx.sendChat(`${peer.name}: ${text}`);
    },
  }),
});
