/** `echo`: a microphone test. Plays back each participant's last utterance to the lobby. */
import { defineBot } from '../sdk.ts';

export const echoBot = defineBot({
  name: 'echo',
  description: 'Microphone test: plays back each thing you say, right after you say it.',
  capabilities: ['listen', 'speak'],
  create: (ctx) => ({
    onUtteranceAudio: async (_peer, utterance) => {
      await ctx.play(utterance.samples);
    },
  }),
});
