/** The core wired as in app.ts, over a real in-memory SQLite store and a clock the test moves. */
import { AuthManager } from '../../src/server/core/auth-manager.ts';
import { noBans, type BanChecker } from '../../src/server/core/bans.ts';
import { ChatManager } from '../../src/server/core/chat-manager.ts';
import type { Clock, Timer } from '../../src/server/core/clock.ts';
import { LobbyManager } from '../../src/server/core/lobby-manager.ts';
import { SessionManager } from '../../src/server/core/session-manager.ts';
import { LocalEventBus } from '../../src/server/events/bus.ts';
import { eventLogRecorder } from '../../src/server/events/event-log.ts';
import type { BusEvent } from '../../src/server/events/types.ts';
import { SqliteStore } from '../../src/server/storage/sqlite-store.ts';

export class FakeClock implements Clock {
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  constructor(public time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
  setTimer(ms: number, fn: () => void): Timer {
    const timer = { at: this.time + ms, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers
        .filter((timer) => !timer.cancelled && timer.at <= until)
        .sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      due.cancelled = true;
      due.fn();
    }
    this.time = until;
  }
}

export const TEST_CONFIG = {
  RECONNECT_GRACE_MS: 30_000,
  SESSION_IDLE_DAYS: 30,
  LOBBY_MAX_PARTICIPANTS: 3,
  PASSWORD_ATTEMPTS: 3,
  PASSWORD_ATTEMPTS_PER_IP: 10,
  PASSWORD_ATTEMPT_WINDOW_S: 300,
};

export function createCore(options: { bans?: BanChecker } = {}) {
  const clock = new FakeClock();
  const store = new SqliteStore({ path: ':memory:' });
  const delivered: BusEvent[] = [];
  const bus = new LocalEventBus(clock, eventLogRecorder(store));
  bus.on((event) => delivered.push(event));
  const bans = options.bans ?? noBans;
  const config = TEST_CONFIG;
  const sessions = new SessionManager({ store, bus, clock, config });
  const auth = new AuthManager({ store, bus, clock, sessions, bans, config });
  const lobbies = new LobbyManager({ store, bus, clock, sessions, bans, config });
  const chat = new ChatManager({ store, bus, clock, sessions, lobbies });
  return { clock, store, bus, delivered, sessions, auth, lobbies, chat };
}
