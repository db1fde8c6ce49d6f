import type Database from 'better-sqlite3';

/**
 * Group commit on one connection. A durable write (an acknowledgement, the `delivering` record before anything is
 * typed) commits before it returns; a deferred write (`delivered`, counters: a crash before it is recorded leaves
 * the task `delivering`, and the pane check at start finds it submitted) joins a transaction left open, committed
 * with the next durable write or at the end of the event-loop turn (setImmediate), whichever comes first.
 * Reads on the connection see the open transaction; other stores on it (history, events) nest inside it.
 *
 * A group that does not commit (disk full: COMMIT fails, or SQLite rolled the transaction back after a failed
 * statement) loses nothing: its deferred writes are owed, applied again at the start of the next transaction and
 * committed with it. Until then the database holds the task as `delivering`: a crash leaves it to the pane check.
 */
export class GroupCommit {
  private open = false;
  /** Replays of the deferred writes in the open transaction. */
  private group: Array<() => void> = [];
  /** Replays of deferred writes whose transaction did not commit. */
  private owed: Array<() => void> = [];
  private timer: NodeJS.Immediate | undefined;
  private readonly sql;
  /** A commit at the end of the turn failed (the deferred writes are owed): report it (storage guard). */
  onError: (err: unknown) => void = () => undefined;

  constructor(private readonly db: Database.Database) {
    this.sql = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT group_write'),
      release: db.prepare('RELEASE group_write'),
      undo: db.prepare('ROLLBACK TO group_write'),
    };
  }

  /** Writes deferred and not yet committed (open or owed). */
  get pending(): number {
    return this.group.length + this.owed.length;
  }

  /**
   * Run `fn` and commit it, with everything deferred before it, before returning. `multi`: `fn` runs more than one
   * statement (a failure then undoes all of them; one statement is atomic by itself).
   */
  durable<T>(fn: () => T, multi = false): T {
    if (this.foreign()) return this.inForeign(fn, multi);
    const result = this.write(fn, multi);
    this.commit();
    return result;
  }

  /** Run `fn` in the open transaction (opening one); `replay` writes it again if that transaction is lost. */
  deferred<T>(fn: () => T, replay: () => void, multi = false): T {
    if (this.foreign()) return this.inForeign(fn, multi);
    const result = this.write(fn, multi);
    this.group.push(replay);
    this.timer ??= setImmediate(this.flushSoon);
    return result;
  }

  /** Commit what is open (and what is owed) now. Throws when the commit fails; the deferred writes are then owed. */
  commit(): void {
    this.noticeLoss();
    if (!this.open && this.owed.length === 0) return;
    if (!this.open) this.begin();
    try {
      this.sql.commit.run();
    } catch (err) {
      if (this.db.inTransaction) this.sql.rollback.run();
      this.lose();
      throw err;
    }
    this.open = false;
    this.group = [];
  }

  /** Commit what is open; a failure is dropped (the writes are lost: their tasks stay `delivering`). */
  close(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    try {
      this.commit();
    } catch {
      /* recovered at the next start by the pane check */
    }
  }

  private readonly flushSoon = () => {
    this.timer = undefined;
    try {
      this.commit();
    } catch (err) {
      this.onError(err);
    }
  };

  /** Inside a transaction someone else began (a caller's own batch): theirs to commit. */
  private foreign(): boolean {
    this.noticeLoss();
    return !this.open && this.db.inTransaction;
  }

  /**
   * Run `fn` in the open transaction. A failure undoes `fn` alone: a transaction of its own is rolled back; in a
   * shared one, a savepoint around `fn` when it runs several statements (SQLite undoes a failed statement itself).
   */
  private write<T>(fn: () => T, multi: boolean): T {
    const fresh = !this.open;
    if (fresh) this.begin();
    const alone = fresh && this.group.length === 0;
    const savepoint = multi && !alone;
    if (savepoint) this.sql.savepoint.run();
    try {
      const result = fn();
      if (savepoint) this.sql.release.run();
      return result;
    } catch (err) {
      this.undo(alone, savepoint);
      throw err;
    }
  }

  private undo(alone: boolean, savepoint: boolean): void {
    if (!this.db.inTransaction) {
      this.lose(); // SQLite rolled the whole transaction back (disk full, I/O error)
      return;
    }
    if (alone) {
      this.sql.rollback.run();
      this.open = false;
      return;
    }
    if (savepoint) {
      this.sql.undo.run();
      this.sql.release.run();
    }
    this.timer ??= setImmediate(this.flushSoon); // what else is in the transaction still commits this turn
  }

  /** In a caller's transaction: a savepoint keeps a write of several statements whole. */
  private inForeign<T>(fn: () => T, multi: boolean): T {
    if (!multi) return fn();
    this.sql.savepoint.run();
    try {
      const result = fn();
      this.sql.release.run();
      return result;
    } catch (err) {
      if (this.db.inTransaction) {
        this.sql.undo.run();
        this.sql.release.run();
      }
      throw err;
    }
  }

  /** BEGIN, then the owed writes first (they commit with this transaction). */
  private begin(): void {
    this.sql.begin.run();
    this.open = true;
    if (this.owed.length === 0) return;
    try {
      for (const replay of this.owed) replay();
    } catch (err) {
      if (this.db.inTransaction) this.sql.rollback.run();
      this.open = false;
      throw err;
    }
    this.group = this.owed;
    this.owed = [];
  }

  private noticeLoss(): void {
    if (this.open && !this.db.inTransaction) this.lose();
  }

  private lose(): void {
    this.open = false;
    this.owed = [...this.owed, ...this.group];
    this.group = [];
  }
}
