/**
 * The event log as a live feed (GET /v1/events): readers are told after new events were written; the monitor's
 * alert transitions are added to the log as they are recorded.
 */
import type { EventFeed } from './intake/http/event-feed.js';
import type { AlertTransition, HistoryStore } from './monitor/index.js';
import type { EventStore } from './sqlite/event-store.js';

export function eventFeed(events: EventStore): EventFeed & { notify(): void } {
  const listeners = new Set<() => void>();
  return {
    since: (seq, limit) => events.since(seq, limit),
    lastSeq: () => events.lastSeq(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify() {
      for (const l of [...listeners]) l();
    },
  };
}

/** The history store, with each alert transition also passed to `onTransition` (after it was recorded). */
export function withAlertLog(history: HistoryStore, onTransition: (t: AlertTransition) => void): HistoryStore {
  return {
    get tiers() {
      return history.tiers;
    },
    get reader() {
      return history.reader;
    },
    append: (sample) => history.append(sample),
    flush: () => history.flush(),
    prune: (now) => history.prune(now),
    transitions: (limit) => history.transitions(limit),
    recordTransition(t) {
      history.recordTransition(t);
      onTransition(t);
    },
  };
}
