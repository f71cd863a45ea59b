import { CHAT_PAGE_DEFAULT } from '../../../protocol/text-rules.ts';
import { encode } from '../frames.ts';
import type { Handler, WsServices } from '../services.ts';

/** The message is stored first; the notifier sends it to the others once committed; the sender gets it with its id. */
export const sendChat =
  ({ chat }: Pick<WsServices, 'chat'>): Handler<'send_chat'> =>
  ({ connection, id, data }) => {
    const message = chat.send(data.lobby_id, connection.sessionId, data.text);
    connection.send(encode('chat_message', message, id));
  };

export const getChat =
  ({ chat }: Pick<WsServices, 'chat'>): Handler<'get_chat'> =>
  ({ connection, id, data }) => {
    const messages = chat.history(data.lobby_id, data.limit ?? CHAT_PAGE_DEFAULT, data.before);
    connection.send(encode('chat_history', { lobby_id: data.lobby_id, messages }, id));
  };
