/** Test helper: awaits a promise that must reject with an `AppError`, and returns the error. */
import { AppError } from '../../src/domain/errors.js';

export async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}
