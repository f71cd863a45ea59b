import { encode } from '../frames.ts';
import type { Handler, WsServices } from '../services.ts';

export const setName =
  ({ auth }: Pick<WsServices, 'auth'>): Handler<'set_name'> =>
  async ({ connection, id, data }) => {
    const result = await auth.setName(connection.sessionId, data.name, data.password, connection.ip);
    connection.send(encode('name_set', result, id));
  };

export const ping =
  (): Handler<'ping'> =>
  ({ connection, id }) =>
    connection.send(encode('pong', {}, id));
