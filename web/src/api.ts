import type { BotInfo, ChatMessage, Lobby, LobbySummary, Session } from '../../src/protocol/entities.ts';
import { ServerError } from './errors.ts';

async function request<T>(method: string, path: string, token?: string | null, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ServerError('network', 'The server cannot be reached.');
  }
  if (response.status === 204) return undefined as T;
  let parsed: unknown = null;
  try {
    parsed = await response.json();
  } catch {
    /* not JSON */
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ServerError(
      error?.code ?? `http_${response.status}`,
      error?.message ?? `HTTP ${response.status}`,
    );
  }
  return parsed as T;
}

export const api = {
  createSession: () => request<{ session: Session; token: string }>('POST', '/api/sessions'),
  me: (token: string) => request<{ session: Session }>('GET', '/api/sessions/me', token),
  lobbies: () => request<{ lobbies: LobbySummary[] }>('GET', '/api/lobbies'),
  lobby: (id: string) => request<{ lobby: Lobby }>('GET', `/api/lobbies/${encodeURIComponent(id)}`),
  createLobby: (token: string, name: string, isPrivate: boolean) =>
    request<{ lobby: Lobby }>('POST', '/api/lobbies', token, { name, private: isPrivate }),
  chat: (id: string, before?: string, limit = 50) =>
    request<{ messages: ChatMessage[] }>(
      'GET',
      `/api/lobbies/${encodeURIComponent(id)}/chat?limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ''}`,
    ),
  bots: () => request<{ bots: BotInfo[] }>('GET', '/api/bots'),
  addBot: (token: string, lobbyId: string, bot: string) =>
    request<{ session_id: string; name: string }>(
      'POST',
      `/api/lobbies/${encodeURIComponent(lobbyId)}/bots`,
      token,
      { bot },
    ),
  removeBot: (token: string, lobbyId: string, sessionId: string) =>
    request<void>(
      'DELETE',
      `/api/lobbies/${encodeURIComponent(lobbyId)}/bots/${encodeURIComponent(sessionId)}`,
      token,
    ),
};
