import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WhtError } from '../errors.js';

export interface SpoolDirs {
  root: string;
  tmp: string;
  new: string;
  rejected: string;
}

export function spoolDirs(root: string): SpoolDirs {
  return { root, tmp: join(root, 'tmp'), new: join(root, 'new'), rejected: join(root, 'rejected') };
}

/** Refuse a directory that is a symlink, not a directory, not ours, or writable by group/others. */
export function assertPrivateDir(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink())
    throw new WhtError('WHT_ERR_SPOOL_UNSAFE', `spool dir ${path} is a symlink; refusing to use it`, { path });
  if (!st.isDirectory()) throw new WhtError('WHT_ERR_SPOOL_UNSAFE', `spool dir ${path} is not a directory`, { path });
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new WhtError('WHT_ERR_SPOOL_UNSAFE', `spool dir ${path} belongs to uid ${st.uid}, not to us (${uid})`, {
      path,
    });
  if ((st.mode & 0o022) !== 0) {
    throw new WhtError(
      'WHT_ERR_SPOOL_UNSAFE',
      `spool dir ${path} is writable by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 700 on it`,
      { path },
    );
  }
}

/** Create the spool (0700) and its tmp/ new/ rejected/ when missing; check every one of them. */
export function prepareSpool(root: string): SpoolDirs {
  const dirs = spoolDirs(root);
  for (const dir of [dirs.root, dirs.tmp, dirs.new, dirs.rejected]) {
    let created = false;
    try {
      lstatSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      created = true;
    }
    if (created) chmodSync(dir, 0o700);
    assertPrivateDir(dir);
  }
  return dirs;
}

/** The spool dir and its tmp/ and new/ exist, are ours, are not symlinks and not writable by others. */
export function spoolCheck(root: string): () => { ok: boolean; message?: string } {
  return () => {
    const dirs = spoolDirs(root);
    try {
      for (const d of [dirs.root, dirs.tmp, dirs.new]) assertPrivateDir(d);
      return { ok: true, message: `${root} present, mode 0700` };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  };
}
