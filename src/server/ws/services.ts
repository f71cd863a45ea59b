/** The services WebSocket handlers may use; each handler factory takes only what it needs. */
import type { ClientDataOf, ClientType } from '../../protocol/ws.ts';
import type { ConnectionRegistry } from '../cluster/connection-registry.ts';
import type { AuthManager } from '../core/auth-manager.ts';
import type { ChatManager } from '../core/chat-manager.ts';
import type { Clock } from '../core/clock.ts';
import type { LobbyManager } from '../core/lobby-manager.ts';
import type { SessionManager } from '../core/session-manager.ts';
import type { Connection } from './connection.ts';

export interface WsServices {
  sessions: SessionManager;
  auth: AuthManager;
  lobbies: LobbyManager;
  chat: ChatManager;
  registry: ConnectionRegistry<Connection>;
  clock: Clock;
}

export interface HandlerContext<T extends ClientType> {
  connection: Connection;
  /** The client's frame id, echoed on the reply. */
  id: string | undefined;
  data: ClientDataOf<T>;
}

export type Handler<T extends ClientType> = (context: HandlerContext<T>) => void | Promise<void>;
export type HandlerTable = { [T in ClientType]: Handler<T> };
