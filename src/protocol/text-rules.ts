/**
 * Character rules shared by names, lobby names and chat: the server enforces them, the browser
 * client uses the same functions to warn before sending.
 */

/** Control (Cc) and format (Cf) characters, plus line/paragraph separators. */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

export const NAME_MAX = 32;
export const LOBBY_NAME_MAX = 64;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const CHAT_TEXT_MAX = 2000;
export const CHAT_PAGE_DEFAULT = 50;
export const CHAT_PAGE_MAX = 200;
export const FRAME_MAX_BYTES = 64 * 1024;

/** Trim and NFC-normalise a display name; `null` when it breaks the rules. */
export function normalizeDisplayName(raw: string, max: number): string | null {
  const name = raw.normalize('NFC').trim();
  const length = [...name].length;
  if (length < 1 || length > max || FORBIDDEN.test(name)) return null;
  return name;
}

/** The key two names are compared by: case-insensitive, NFC. */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}

/** Chat text keeps newlines and tabs but no other control or format characters. */
const FORBIDDEN_IN_CHAT = /[\p{Cf}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;

export function normalizeChatText(raw: string): string | null {
  const text = raw.normalize('NFC').trim();
  const length = [...text].length;
  if (length < 1 || length > CHAT_TEXT_MAX || FORBIDDEN_IN_CHAT.test(text)) return null;
  return text;
}

export function isValidPassword(password: string): boolean {
  const length = [...password].length;
  return length >= PASSWORD_MIN && length <= PASSWORD_MAX;
}
