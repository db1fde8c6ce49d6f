/**
 * The /v1 bearer token: `<dataDir>/token`, mode 0600, 32 random bytes (base64url), created on first start.
 * A token file that is a symlink, not a regular file, or readable by group/others is refused.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { WhtError } from '../../errors.js';

/** Same file as `dataPaths(dataDir).token` in engine.ts. */
export const TOKEN_FILE = 'token';

export function tokenPath(dataDir: string): string {
  return join(dataDir, TOKEN_FILE);
}

/** Read the token; undefined when there is none yet. Used by the CLI (`send --http`). */
export async function readToken(dataDir: string): Promise<string | undefined> {
  const path = tokenPath(dataDir);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP')
      throw new WhtError('WHT_ERR_CONFIG_INVALID', `${path} is a symlink; refusing to use it as the HTTP token`);
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new WhtError('WHT_ERR_CONFIG_INVALID', `${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw new WhtError(
        'WHT_ERR_CONFIG_INVALID',
        `${path} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`,
      );
    }
    const token = (await handle.readFile('utf8')).trim();
    if (token.length < 16)
      throw new WhtError('WHT_ERR_CONFIG_INVALID', `${path} holds no usable token (delete it to make a new one)`);
    return token;
  } finally {
    await handle.close();
  }
}

/**
 * Read the token, or create it (0600) on first start. The token is written whole to a private temp file and then
 * hard-linked into place, which fails if the file exists: two starts that race agree on one token, and no reader
 * ever sees a half-written file.
 */
export async function loadOrCreateToken(dataDir: string): Promise<string> {
  const existing = await readToken(dataDir);
  if (existing !== undefined) return existing;
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  const tmp = `${tokenPath(dataDir)}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await fs.writeFile(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(tmp, tokenPath(dataDir));
    return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const raced = await readToken(dataDir);
    if (raced === undefined) throw err;
    return raced;
  } finally {
    await fs.unlink(tmp).catch(() => {});
  }
}
