/**
 * Secrets at rest (an app's client secret, a token cache) are sealed with AES-256-GCM under the
 * key from configuration, so a copied registry file reveals nothing without the key. GCM's tag
 * also makes tampering detectable: a changed byte fails to open instead of yielding garbage.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, err, ok, type Result } from '../domain/errors.js';
import type { SealedSecret } from './registry.js';

const KEY_BYTES = 32;
/** 96-bit IVs are what GCM is specified for; a random one per seal never repeats in practice. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new AppError('config', `The secrets key must be ${KEY_BYTES} bytes.`);
  }
}

/**
 * Encrypts `plaintext` with a fresh random IV. `context` (for example `clientId/name`) is bound
 * as additional authenticated data, so a sealed value copied onto another client fails to open.
 */
export function sealSecret(plaintext: string, key: Buffer, context = ''): SealedSecret {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/**
 * Decrypts a sealed secret. A wrong key, a wrong `context` or any tampering throws
 * `AppError('storage')`; the message never contains any part of the plaintext.
 */
export function openSecret(sealed: SealedSecret, key: Buffer, context = ''): string {
  assertKey(key);
  const iv = decodeBase64(sealed.iv);
  const tag = decodeBase64(sealed.tag);
  // An empty secret seals to empty ciphertext, so `data` alone may be "".
  const data = sealed.data === '' ? Buffer.alloc(0) : decodeBase64(sealed.data);
  if (!iv || iv.length !== IV_BYTES || !tag || tag.length !== TAG_BYTES || !data) {
    throw new AppError('storage', 'A stored secret is malformed; enter it again.');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  } catch {
    throw new AppError(
      'storage',
      'A stored secret could not be decrypted: it was changed, or the secrets key is not the one it was sealed with. Restore the original key or enter the secret again.',
    );
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HEX = /^[0-9a-fA-F]+$/;

function decodeBase64(text: unknown): Buffer | null {
  if (typeof text !== 'string' || text.length === 0 || !BASE64.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/**
 * Parses a 32-byte key given as 64 hex digits or as base64 / base64url (44 characters with
 * padding, 43 without). Surrounding whitespace (a trailing newline in a key file) is ignored.
 */
export function parseSecretsKey(text: string): Result<Buffer> {
  const t = text.trim();
  let key: Buffer | null = null;
  if (t.length === KEY_BYTES * 2 && HEX.test(t)) {
    key = Buffer.from(t, 'hex');
  } else if (BASE64.test(t)) {
    key = Buffer.from(t, 'base64');
  } else if (BASE64URL.test(t)) {
    key = Buffer.from(t, 'base64url');
  }
  if (key === null || key.length !== KEY_BYTES) {
    return err(
      new AppError(
        'config',
        `The secrets key must be ${KEY_BYTES} random bytes written as 64 hex digits or as base64 (44 characters); generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
      ),
    );
  }
  return ok(key);
}

/** A new random key. */
export function generateSecretsKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * Reads the key in `file`, or creates the file with a new random key (mode 0600) when it does
 * not exist. Used in sample mode, where no key is configured; a malformed file is an error
 * rather than silently replaced, because replacing it would make every sealed secret unreadable.
 */
export async function readOrCreateSecretsKeyFile(file: string): Promise<Buffer> {
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new AppError(
        'storage',
        `Cannot read the secrets key file ${file}: ${describeFsError(e)}.`,
        {
          file,
        },
      );
    }
  }
  if (text !== null) {
    const parsed = parseSecretsKey(text);
    if (!parsed.ok) {
      throw new AppError(
        'storage',
        `The secrets key file ${file} does not hold a valid key. Restore it from a backup; deleting it makes stored secrets unreadable.`,
        { file },
      );
    }
    return parsed.value;
  }
  const key = generateSecretsKey();
  try {
    await mkdir(path.dirname(file), { recursive: true });
    // `wx` fails if another process created the file meanwhile: then read theirs.
    await writeFile(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readOrCreateSecretsKeyFile(file);
    throw new AppError(
      'storage',
      `Cannot create the secrets key file ${file}: ${describeFsError(e)}.`,
      {
        file,
      },
    );
  }
}

/** A short, safe description of a file-system error (its code and syscall, no contents). */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOENT':
      return 'it does not exist';
    default:
      return code ?? (e instanceof Error ? e.message : String(e));
  }
}
