/** better-sqlite3 without its native module (install scripts not run, or built for another Node): one line on what to do. */
export function nativeModuleHint(err: unknown): string | undefined {
  const text = err instanceof Error ? err.message : String(err);
  if (!/Could not locate the bindings file|NODE_MODULE_VERSION|better_sqlite3\.node/.test(text)) return undefined;
  return "better-sqlite3's native module is missing or built for another Node.js: reinstall with `npm install -g --allow-scripts=better-sqlite3 ...` (npm 11), or run `npm rebuild better-sqlite3` in the package (needs python3, make and g++ when no prebuilt binary fits)";
}
