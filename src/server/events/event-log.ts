/** The durable event log: the bus's recorder, appending each event with the next gap-free `seq`. */
import type { Store } from '../storage/store.ts';
import type { Recorder } from './bus.ts';

export function eventLogRecorder(store: Store): Recorder {
  return (event) => {
    event.seq = store.appendEvent(event.type, event.at, event.data);
  };
}
