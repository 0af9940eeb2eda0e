import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { AppError } from '../../src/domain/errors.js';
import {
  generateSecretsKey,
  openSecret,
  parseSecretsKey,
  readOrCreateSecretsKeyFile,
  sealSecret,
} from '../../src/registry/secret-box.js';

const key = Buffer.alloc(32, 1);
const otherKey = Buffer.alloc(32, 2);
const PLAINTEXT = 'client-secret~With.Special_Chars-123';

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

/** Flips one bit of a base64 field. */
function flip(b64: string): string {
  const bytes = Buffer.from(b64, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return bytes.toString('base64');
}

describe('sealSecret / openSecret', () => {
  it('round-trips a secret', () => {
    expect(openSecret(sealSecret(PLAINTEXT, key), key)).toBe(PLAINTEXT);
  });

  it('round-trips an empty and a non-ASCII secret', () => {
    expect(openSecret(sealSecret('', key), key)).toBe('');
    expect(openSecret(sealSecret('pässwörd ✓ 秘密', key), key)).toBe('pässwörd ✓ 秘密');
  });

  it('uses a fresh 12-byte IV every time, so equal secrets seal differently', () => {
    const a = sealSecret(PLAINTEXT, key);
    const b = sealSecret(PLAINTEXT, key);
    expect(Buffer.from(a.iv, 'base64')).toHaveLength(12);
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
  });

  it('does not contain the plaintext in any field', () => {
    expect(JSON.stringify(sealSecret(PLAINTEXT, key))).not.toContain(PLAINTEXT);
  });

  it.each(['data', 'tag', 'iv'] as const)(
    'refuses a secret whose %s was tampered with, without revealing it',
    (field) => {
      const sealed = sealSecret(PLAINTEXT, key);
      const e = thrown(() => openSecret({ ...sealed, [field]: flip(sealed[field]) }, key));
      expect(e.reason).toBe('storage');
      expect(e.message).not.toContain(PLAINTEXT);
    },
  );

  it('refuses to open with another key', () => {
    expect(thrown(() => openSecret(sealSecret(PLAINTEXT, key), otherKey)).reason).toBe('storage');
  });

  it('binds the context, so a secret moved to another client does not open', () => {
    const sealed = sealSecret(PLAINTEXT, key, 'client-a/appSecret');
    expect(openSecret(sealed, key, 'client-a/appSecret')).toBe(PLAINTEXT);
    expect(thrown(() => openSecret(sealed, key, 'client-b/appSecret')).reason).toBe('storage');
  });

  it.each([
    ['a non-base64 IV', { iv: '!!!', tag: 'AAAAAAAAAAAAAAAAAAAAAA==', data: '' }],
    ['a short tag', { iv: 'AAAAAAAAAAAAAAAA', tag: 'AAAA', data: '' }],
    ['missing fields', {} as never],
  ])('refuses a malformed sealed secret: %s', (_name, sealed) => {
    expect(thrown(() => openSecret(sealed, key)).reason).toBe('storage');
  });

  it.each([0, 16, 31, 33, 64])('refuses a %i-byte key', (n) => {
    expect(thrown(() => sealSecret('x', Buffer.alloc(n))).reason).toBe('config');
  });
});

describe('parseSecretsKey', () => {
  const raw = generateSecretsKey();

  it.each([
    ['hex', raw.toString('hex')],
    ['upper-case hex', raw.toString('hex').toUpperCase()],
    ['base64', raw.toString('base64')],
    ['base64 without padding', raw.toString('base64').replace(/=+$/, '')],
    ['base64url', raw.toString('base64url')],
    ['base64 with a trailing newline', `${raw.toString('base64')}\n`],
  ])('accepts %s', (_name, text) => {
    const r = parseSecretsKey(text);
    expect(r.ok && r.value.equals(raw)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['31 bytes of hex', 'ab'.repeat(31)],
    ['33 bytes of base64', Buffer.alloc(33).toString('base64')],
    ['16 bytes of base64', Buffer.alloc(16).toString('base64')],
    ['a passphrase', 'correct horse battery staple'],
    ['hex with a stray character', 'ab'.repeat(31) + 'zz'],
  ])('rejects %s', (_name, text) => {
    const r = parseSecretsKey(text);
    expect(!r.ok && r.error.reason).toBe('config');
  });
});

describe('readOrCreateSecretsKeyFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hub-key-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a readable-by-owner-only key file and returns the same key afterwards', async () => {
    const file = path.join(dir, 'nested', 'secrets.key');
    const first = await readOrCreateSecretsKeyFile(file);
    expect(first).toHaveLength(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readOrCreateSecretsKeyFile(file)).equals(first)).toBe(true);
  });

  it('gives concurrent callers the same key', async () => {
    const file = path.join(dir, 'secrets.key');
    const keys = await Promise.all([1, 2, 3, 4].map(() => readOrCreateSecretsKeyFile(file)));
    for (const k of keys) expect(k.equals(keys[0] as Buffer)).toBe(true);
  });

  it('refuses a malformed key file and leaves it as it was', async () => {
    const file = path.join(dir, 'secrets.key');
    await writeFile(file, 'not a key');
    await expect(readOrCreateSecretsKeyFile(file)).rejects.toMatchObject({ reason: 'storage' });
    expect(await readFile(file, 'utf8')).toBe('not a key');
  });

  it('refuses a key path that is a directory', async () => {
    await expect(readOrCreateSecretsKeyFile(dir)).rejects.toMatchObject({ reason: 'storage' });
  });
});
