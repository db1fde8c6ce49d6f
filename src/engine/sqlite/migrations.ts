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
];
