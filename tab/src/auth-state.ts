/**
 * Keeps the sign-in pop-up's `state` between `auth-start.html` and `auth-end.html`. They run in
 * the same window, so session storage carries it; local storage is the fallback where a host
 * blocks session storage.
 */
import { authStateKey } from './auth-flow.js';

const stores = (): Storage[] => {
  const out: Storage[] = [];
  for (const get of [() => window.sessionStorage, () => window.localStorage]) {
    try {
      out.push(get());
    } catch {
      // Storage denied by the browser's settings: try the next one.
    }
  }
  return out;
};

/** Remembers `state` for the end page. */
export function saveAuthState(state: string): void {
  for (const store of stores()) {
    try {
      store.setItem(authStateKey, state);
      return;
    } catch {
      // Full or denied: try the next store.
    }
  }
}

/** The remembered state, removed so it cannot be used twice; null when there is none. */
export function takeAuthState(): string | null {
  for (const store of stores()) {
    try {
      const state = store.getItem(authStateKey);
      if (state !== null) {
        store.removeItem(authStateKey);
        return state;
      }
    } catch {
      // Denied: try the next store.
    }
  }
  return null;
}
