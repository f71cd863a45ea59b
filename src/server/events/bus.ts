/**
 * The typed event bus the managers emit on.
 *
 * A recorder (the durable event log) sees each event synchronously at emit time, so when the
 * emit happens inside a storage transaction the event is written in that same transaction.
 * Listeners (fan-out to sockets, metrics, webhooks) see events only after the surrounding
 * `atomically` block has committed; a block that throws discards its events.
 */
import type { BusEvent, EventData, EventType } from './types.ts';
import type { Clock } from '../core/clock.ts';

export type Listener = (event: BusEvent) => void;
export type Recorder = (event: BusEvent) => void;

export interface EventBus {
  emit<T extends EventType>(type: T, data: EventData[T]): void;
  on(listener: Listener): () => void;
  /** Run `fn` with delivery to listeners held back until it returns; dropped if it throws. */
  deferred<R>(fn: () => R): R;
}

export class LocalEventBus implements EventBus {
  private readonly listeners = new Set<Listener>();
  private pending: BusEvent[] | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly recorder: Recorder = () => {},
    private readonly onListenerError: (error: unknown, event: BusEvent) => void = () => {},
  ) {}

  emit<T extends EventType>(type: T, data: EventData[T]): void {
    const event: BusEvent = { type, at: this.clock.now(), data };
    this.recorder(event);
    if (this.pending) this.pending.push(event);
    else this.deliver(event);
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  deferred<R>(fn: () => R): R {
    if (this.pending) return fn();
    const pending: BusEvent[] = (this.pending = []);
    let result: R;
    try {
      result = fn();
    } finally {
      this.pending = null;
    }
    for (const event of pending) this.deliver(event);
    return result;
  }

  private deliver(event: BusEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A failing listener must not stop the others or undo a change already committed.
        this.onListenerError(error, event);
      }
    }
  }
}
