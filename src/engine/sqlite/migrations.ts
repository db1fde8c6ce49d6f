/**
 * Append-only list of schema migrations; entry i brings the schema to version i+1 (`PRAGMA user_version`).
 * Never edit a shipped entry: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    text TEXT NOT NULL,
    target TEXT NOT NULL,
    priority INTEGER NOT NULL,
    category TEXT NOT NULL,
    idem_key TEXT,
    source TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    errors TEXT NOT NULL DEFAULT '[]',
    pane_mark TEXT,
    received_at REAL NOT NULL,
    committed_at REAL NOT NULL,
    started_at REAL,
    delivered_at REAL,
    finished_at REAL
  );
  CREATE INDEX tasks_ready ON tasks(target, priority DESC, id) WHERE state IN ('queued', 'retrying');
  CREATE INDEX tasks_ready_id ON tasks(id) WHERE state IN ('queued', 'retrying');
  CREATE INDEX tasks_dead ON tasks(id) WHERE state = 'dead';
  CREATE INDEX tasks_delivering ON tasks(id) WHERE state = 'delivering';
  CREATE INDEX tasks_idem ON tasks(idem_key, id) WHERE idem_key IS NOT NULL;
  CREATE INDEX tasks_finished ON tasks(finished_at) WHERE finished_at IS NOT NULL;
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE counters (name TEXT PRIMARY KEY, value REAL NOT NULL);
  `,
  // 2: what happens after `delivered` (working, completed, stalled; the output), callbacks, and the event log that
  // `GET /v1/events` resumes from. Triggers write one `events` row per state change, and one `callbacks` (outbox)
  // row when the task's callback asks for that state, in the same transaction as the change itself: a crash between
  // a state change and its callback loses neither.
  `
  ALTER TABLE tasks ADD COLUMN working_at REAL;
  ALTER TABLE tasks ADD COLUMN completed_at REAL;
  ALTER TABLE tasks ADD COLUMN output TEXT;
  ALTER TABLE tasks ADD COLUMN exit_code INTEGER;
  ALTER TABLE tasks ADD COLUMN callback TEXT;
  CREATE INDEX tasks_watched ON tasks(id) WHERE state IN ('delivered', 'working') AND finished_at IS NULL;
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    task_id INTEGER,
    state TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX events_task ON events(task_id, state) WHERE task_id IS NOT NULL;
  CREATE INDEX events_at ON events(at);
  CREATE TABLE callbacks (
    seq INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    sent_at REAL,
    last_status INTEGER,
    last_error TEXT
  );
  CREATE INDEX callbacks_pending ON callbacks(url, seq) WHERE state = 'pending';
  CREATE TRIGGER tasks_event_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO events (at, kind, task_id, state, data)
      VALUES (NEW.committed_at, 'task', NEW.id, NEW.state, json_object(
        'id', NEW.id, 'state', NEW.state, 'previous', NULL, 'target', NEW.target, 'category', NEW.category,
        'priority', NEW.priority, 'idemKey', NEW.idem_key, 'source', NEW.source, 'attempts', NEW.attempts,
        'receivedAt', NEW.received_at));
    INSERT INTO callbacks (seq, task_id, url, secret, webhook_id, created_at, next_at)
      SELECT last_insert_rowid(), NEW.id, json_extract(NEW.callback, '$.url'), json_extract(NEW.callback, '$.secret'),
        'wht_' || NEW.id || '_queued', NEW.committed_at, NEW.committed_at
      WHERE NEW.callback IS NOT NULL
        AND EXISTS (SELECT 1 FROM json_each(NEW.callback, '$.events') WHERE value = NEW.state);
  END;
  CREATE TRIGGER tasks_event_update AFTER UPDATE OF state ON tasks WHEN NEW.state IS NOT OLD.state BEGIN
    INSERT INTO events (at, kind, task_id, state, data)
      VALUES (
        coalesce(CASE NEW.state
          WHEN 'delivering' THEN NEW.started_at
          WHEN 'delivered' THEN NEW.delivered_at
          WHEN 'working' THEN NEW.working_at
          WHEN 'completed' THEN NEW.completed_at
          WHEN 'retrying' THEN json_extract(NEW.errors, '$[#-1].at')
          WHEN 'queued' THEN NULL
          ELSE NEW.finished_at END, (julianday('now') - 2440587.5) * 86400000.0),
        'task', NEW.id, NEW.state, json_object(
          'id', NEW.id, 'state', NEW.state, 'previous', OLD.state, 'target', NEW.target, 'category', NEW.category,
          'priority', NEW.priority, 'idemKey', NEW.idem_key, 'source', NEW.source, 'attempts', NEW.attempts,
          'receivedAt', NEW.received_at, 'deliveredAt', NEW.delivered_at, 'workingAt', NEW.working_at,
          'completedAt', NEW.completed_at,
          'durationMs', CASE WHEN NEW.state = 'completed' THEN NEW.completed_at - NEW.delivered_at END,
          'exitCode', NEW.exit_code,
          'error', CASE WHEN NEW.state IN ('retrying', 'dead', 'stalled') THEN json_extract(NEW.errors, '$[#-1]') END,
          'output', CASE WHEN NEW.state IN ('completed', 'stalled') THEN NEW.output END));
    INSERT INTO callbacks (seq, task_id, url, secret, webhook_id, created_at, next_at)
      SELECT last_insert_rowid(), NEW.id, json_extract(NEW.callback, '$.url'), json_extract(NEW.callback, '$.secret'),
        'wht_' || NEW.id || '_' || NEW.state || CASE WHEN n > 1 THEN '_' || n ELSE '' END,
        (SELECT at FROM events WHERE seq = last_insert_rowid()), (SELECT at FROM events WHERE seq = last_insert_rowid())
      FROM (SELECT count(*) AS n FROM events WHERE task_id = NEW.id AND state = NEW.state)
      WHERE NEW.callback IS NOT NULL
        AND EXISTS (SELECT 1 FROM json_each(NEW.callback, '$.events') WHERE value = NEW.state);
  END;
  `,
  // 3: the same log and outbox, written at what they cost (issue 18). Every commit writes each page it dirtied to
  // the WAL, so the hot path keeps only the b-trees a query needs:
  // - events loses its two indexes: the callback's webhook-id count comes from the outbox itself (callbacks.task_state,
  //   indexed: only tasks with a callback pay), and retention prunes the log in seq order (event-store.ts); and its
  //   AUTOINCREMENT (a sqlite_sequence read and write per event, and that page in every commit): seq stays
  //   monotonic because the prune never deletes the newest row.
  // - a task without a callback pays nothing for the outbox: each trigger is split in two by a WHEN on NEW.callback,
  //   exactly one of the pair fires, so the outbox row still follows its own event (last_insert_rowid()).
  // - no IN list of more than two constants where a row change evaluates it (a partial index's condition, a trigger):
  //   SQLite builds a temporary b-tree for each such evaluation (about 3 µs here); an OR of comparisons costs nothing.
  // - tasks: one partial index over the pending and delivering rows (target, priority, id) serves head(), the
  //   ready targets, the oldest pending task and the delivering rows at start, instead of three; finished rows are
  //   pruned in id order instead of through an index on finished_at.
  migration3(),
];

/** Migration 3's text (built once from the parts both triggers of a pair share; never change it once shipped). */
function migration3(): string {
  const insertData = `json_object(
        'id', NEW.id, 'state', NEW.state, 'previous', NULL, 'target', NEW.target, 'category', NEW.category,
        'priority', NEW.priority, 'idemKey', NEW.idem_key, 'source', NEW.source, 'attempts', NEW.attempts,
        'receivedAt', NEW.received_at)`;
  const updateAt = `coalesce(CASE NEW.state
          WHEN 'delivering' THEN NEW.started_at
          WHEN 'delivered' THEN NEW.delivered_at
          WHEN 'working' THEN NEW.working_at
          WHEN 'completed' THEN NEW.completed_at
          WHEN 'retrying' THEN json_extract(NEW.errors, '$[#-1].at')
          WHEN 'queued' THEN NULL
          ELSE NEW.finished_at END, (julianday('now') - 2440587.5) * 86400000.0)`;
  const updateData = `json_object(
          'id', NEW.id, 'state', NEW.state, 'previous', OLD.state, 'target', NEW.target, 'category', NEW.category,
          'priority', NEW.priority, 'idemKey', NEW.idem_key, 'source', NEW.source, 'attempts', NEW.attempts,
          'receivedAt', NEW.received_at, 'deliveredAt', NEW.delivered_at, 'workingAt', NEW.working_at,
          'completedAt', NEW.completed_at,
          'durationMs', CASE WHEN NEW.state = 'completed' THEN NEW.completed_at - NEW.delivered_at END,
          'exitCode', NEW.exit_code,
          'error', CASE WHEN NEW.state = 'retrying' OR NEW.state = 'dead' OR NEW.state = 'stalled'
            THEN json_extract(NEW.errors, '$[#-1]') END,
          'output', CASE WHEN NEW.state IN ('completed', 'stalled') THEN NEW.output END)`;
  const insertEvent = `INSERT INTO events (at, kind, task_id, state, data)
      VALUES (NEW.committed_at, 'task', NEW.id, NEW.state, ${insertData});`;
  const updateEvent = `INSERT INTO events (at, kind, task_id, state, data)
      VALUES (${updateAt}, 'task', NEW.id, NEW.state, ${updateData});`;
  const wanted = `EXISTS (SELECT 1 FROM json_each(NEW.callback, '$.events') WHERE value = NEW.state)`;
  // The state part of a webhook id: wht_<task>_<state>[_<n>] (no state name holds '_').
  const rest = `substr(webhook_id, length('wht_' || task_id || '_') + 1)`;
  return `
  DROP TRIGGER tasks_event_insert;
  DROP TRIGGER tasks_event_update;
  CREATE TABLE events_v3 (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    task_id INTEGER,
    state TEXT,
    data TEXT NOT NULL
  );
  INSERT INTO events_v3 (seq, at, kind, task_id, state, data) SELECT seq, at, kind, task_id, state, data FROM events;
  -- Event ids never go back (Last-Event-ID): when the newest events were pruned, a row of kind 'seq' (never served)
  -- holds the last id given; the prune always keeps the newest row.
  INSERT INTO events_v3 (seq, at, kind, data)
    SELECT s.seq, (julianday('now') - 2440587.5) * 86400000.0, 'seq', 'null' FROM sqlite_sequence s
    WHERE s.name = 'events' AND s.seq > coalesce((SELECT max(seq) FROM events), 0);
  DROP TABLE events;
  ALTER TABLE events_v3 RENAME TO events;
  ALTER TABLE callbacks ADD COLUMN task_state TEXT;
  UPDATE callbacks SET task_state = CASE WHEN instr(${rest}, '_') > 0
    THEN substr(${rest}, 1, instr(${rest}, '_') - 1) ELSE ${rest} END;
  CREATE INDEX callbacks_task ON callbacks(task_id, task_state);
  CREATE TRIGGER tasks_event_insert AFTER INSERT ON tasks WHEN NEW.callback IS NULL BEGIN
    ${insertEvent}
  END;
  CREATE TRIGGER tasks_event_insert_callback AFTER INSERT ON tasks WHEN NEW.callback IS NOT NULL BEGIN
    ${insertEvent}
    INSERT INTO callbacks (seq, task_id, task_state, url, secret, webhook_id, created_at, next_at)
      SELECT last_insert_rowid(), NEW.id, NEW.state, json_extract(NEW.callback, '$.url'),
        json_extract(NEW.callback, '$.secret'), 'wht_' || NEW.id || '_queued', NEW.committed_at, NEW.committed_at
      WHERE ${wanted};
  END;
  CREATE TRIGGER tasks_event_update AFTER UPDATE OF state ON tasks
    WHEN NEW.state IS NOT OLD.state AND NEW.callback IS NULL BEGIN
    ${updateEvent}
  END;
  CREATE TRIGGER tasks_event_update_callback AFTER UPDATE OF state ON tasks
    WHEN NEW.state IS NOT OLD.state AND NEW.callback IS NOT NULL BEGIN
    ${updateEvent}
    INSERT INTO callbacks (seq, task_id, task_state, url, secret, webhook_id, created_at, next_at)
      SELECT e.seq, NEW.id, NEW.state, json_extract(NEW.callback, '$.url'), json_extract(NEW.callback, '$.secret'),
        'wht_' || NEW.id || '_' || NEW.state || (SELECT CASE WHEN count(*) > 0 THEN '_' || (count(*) + 1) ELSE '' END
          FROM callbacks WHERE task_id = NEW.id AND task_state = NEW.state),
        e.at, e.at
      FROM events e WHERE e.seq = last_insert_rowid() AND ${wanted};
  END;
  DROP INDEX tasks_ready;
  DROP INDEX tasks_ready_id;
  DROP INDEX tasks_delivering;
  DROP INDEX tasks_finished;
  CREATE INDEX tasks_active ON tasks(target, priority DESC, id) WHERE (state IN ('queued', 'retrying') OR state = 'delivering');
  `;
}
