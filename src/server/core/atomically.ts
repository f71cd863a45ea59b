import type { EventBus } from '../events/bus.ts';
import type { Store } from '../storage/store.ts';

/**
 * Run a state change and the events it emits as one unit: both are written in one storage
 * transaction, and listeners (socket fan-out, webhooks) hear the events only after it has
 * committed. So nothing reaches a client that a crash could still undo.
 */
export function atomically<R>(store: Store, bus: EventBus, fn: () => R): R {
  return bus.deferred(() => store.transaction(fn));
}
