/** `announcer`: speaks every chat message aloud in the lobby ("Alice says: ..."). */
import { defineBot } from '../sdk.ts';

export const announcerBot = defineBot({
  name: 'announcer',
  description: 'Reads the lobby chat aloud, so people on voice hear what is typed.',
  capabilities: ['speak'],
  create: (ctx) => {
    // one message after the other, never over each other
    let queue: Promise<unknown> = Promise.resolve();
    return {
      onChat: (message) => {
        // other bots' lines (a transcript, an answer) are not read out: people hear those already
        if (ctx.participants().some((p) => p.id === message.sender_id && p.isBot)) return;
        const line = `${message.sender_name} says, ${message.text}`;
        queue = queue
          .then(() => ctx.say(line))
          .catch((error: Error) =>
            ctx.reportProblem('tts', `Sorry, I cannot speak right now: ${error.message}`),
          );
      },
    };
  },
});
