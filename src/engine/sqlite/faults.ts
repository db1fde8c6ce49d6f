/** Whether something thrown came from the database (better-sqlite3's SqliteError, or a closed connection). */
export function isStorageFault(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (
    (typeof code === 'string' && code.startsWith('SQLITE_')) ||
    err.name === 'SqliteError' ||
    /database connection is not open/i.test(err.message)
  );
}
