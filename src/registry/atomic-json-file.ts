/**
 * A lowdb adapter that writes durably. lowdb's own `JSONFile` (through steno) writes a temp file
 * and renames it, but never fsyncs: after a power cut the rename can survive while the data does
 * not, leaving an empty registry. This adapter writes a uniquely named temp file, fsyncs it,
 * renames it over the target and fsyncs the directory, so the file on disk is always either the
 * old version or the new one, complete.
 *
 * Reading never "repairs" anything: an unreadable or invalid file throws `AppError('storage')`
 * and is left exactly as it was.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { AppError } from '../domain/errors.js';
import { describeFsError } from './secret-box.js';

export interface AtomicJsonFileOptions<T> {
  /** Turns parsed JSON into `T` (migrating and validating); throws AppError to refuse the file. */
  readonly decode: (raw: unknown) => T;
  /** Indentation of the written JSON; the file is meant to be readable by a person fixing it. */
  readonly indent?: number;
}

export class AtomicJsonFile<T> implements Adapter<T> {
  readonly file: string;
  /** Whether the last `read` found a file (false: it did not exist). */
  existed = false;
  /** The exact text of the last successful write, or of the file as read. */
  lastText: string | null = null;
  /** Milliseconds the last `write` spent turning the data into text (its main CPU cost). */
  lastSerializeMs = 0;
  readonly #decode: (raw: unknown) => T;
  readonly #indent: number;

  constructor(file: string, options: AtomicJsonFileOptions<T>) {
    this.file = file;
    this.#decode = options.decode;
    this.#indent = options.indent ?? 1;
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.existed = false;
        return null;
      }
      throw new AppError(
        'storage',
        `Cannot read the registry file ${this.file}: ${describeFsError(e)}. Check that the path is a file the app's user can read and write.`,
        { file: this.file },
        { cause: e },
      );
    }
    this.existed = true;
    let raw: unknown;
    try {
      // Editors on Windows may add a byte-order mark; JSON.parse rejects it.
      raw = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
    } catch (e) {
      const detail = text.trim() === '' ? 'the file is empty' : (e as Error).message;
      throw new AppError(
        'storage',
        `The registry file ${this.file} is not valid JSON (${detail}). It was left untouched; restore it from a backup, or move it away to start with an empty registry.`,
        { file: this.file },
        { cause: e },
      );
    }
    const data = this.#decode(raw);
    this.lastText = text;
    return data;
  }

  /**
   * Deletes temp files that a process killed mid-write left beside the file. Each can be as large
   * as the registry, and nothing else would ever remove them. Call it only while no other writer
   * runs (at open): a live writer's temp file looks the same.
   */
  async removeStaleTempFiles(): Promise<number> {
    const dir = path.dirname(this.file);
    const prefix = `.${path.basename(this.file)}.`;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return 0;
    }
    const stale = names.filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'));
    await Promise.all(stale.map((n) => unlink(path.join(dir, n)).catch(() => undefined)));
    return stale.length;
  }

  async write(data: T): Promise<void> {
    // Serialise before the first await: the caller may change `data` while the write runs.
    const started = performance.now();
    const text = JSON.stringify(data, null, this.#indent) + '\n';
    this.lastSerializeMs = performance.now() - started;
    await this.writeText(text);
  }

  async writeText(text: string): Promise<void> {
    const dir = path.dirname(this.file);
    const temp = path.join(
      dir,
      `.${path.basename(this.file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw new AppError(
        'storage',
        `Cannot save the registry file ${this.file}: ${describeFsError(e)}. The change was not saved.`,
        { file: this.file },
        { cause: e },
      );
    }
    await syncDirectory(dir);
    this.lastText = text;
  }
}

/** Makes the rename itself durable. Some platforms cannot fsync a directory; that is not fatal. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows and some network file systems refuse; the data itself was already fsynced.
  }
}
