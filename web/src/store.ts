/** What survives a reload: the session token (a secret: only ever sent to our own server), the
 * last chosen name, the lobby we were in and the chosen microphone. */
const KEYS = {
  token: 'voicebot.token',
  name: 'voicebot.name',
  lobby: 'voicebot.lobby',
  mic: 'voicebot.mic',
  processing: 'voicebot.processing',
} as const;
type Key = keyof typeof KEYS;

function get(key: Key): string | null {
  try {
    return localStorage.getItem(KEYS[key]);
  } catch {
    return null;
  }
}

function set(key: Key, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(KEYS[key]);
    else localStorage.setItem(KEYS[key], value);
  } catch {
    /* storage disabled: the session lasts as long as the page */
  }
}

export const store = { get, set };
