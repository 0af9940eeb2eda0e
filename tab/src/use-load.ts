/**
 * Loading a screen's data: the request, its loading, loaded and failed states, and reloads. A
 * newer request cancels the older one, so an older answer never replaces a newer one.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from './api.js';

/** Where a screen's data is; `reloadError` is a reload that failed while older data is shown. */
export type Loaded<T> =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ok'; readonly value: T; readonly reloadError: string | null }
  | { readonly kind: 'failed'; readonly message: string };

export interface LoadOptions<T> {
  /**
   * On a failed reload, keep showing the data already loaded (with `reloadError`) instead of the
   * failure. Right when the request is the same as before (a dashboard reload); wrong when it
   * asked for something else (other filters), whose old answer would mislead.
   */
  readonly keepOnError?: boolean;
  /** Called with each answer, in the same render as it is stored. */
  readonly onLoaded?: (value: T) => void;
}

export interface LoadControls<T> {
  readonly state: Loaded<T>;
  /** Requests again; resolves when that request has ended (or was replaced). */
  reload(): Promise<void>;
  /** Changes the loaded data in place (an item completed here, say); no-op unless loaded. */
  update(change: (value: T) => T): void;
}

/**
 * Runs `fetch` on mount, whenever `fetch` changes (wrap it in `useCallback` with what it depends
 * on) and on `reload()`. While a new request runs, loaded data stays on screen; a failed screen
 * shows loading again.
 */
export function useLoad<T>(
  fetch: (signal: AbortSignal) => Promise<T>,
  options: LoadOptions<T> = {},
): LoadControls<T> {
  const { keepOnError = false } = options;
  const [state, setState] = useState<Loaded<T>>({ kind: 'loading' });
  const current = useRef<AbortController | null>(null);
  const onLoaded = useRef(options.onLoaded);
  onLoaded.current = options.onLoaded;

  const reload = useCallback(async () => {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setState((s) => (s.kind === 'ok' ? s : { kind: 'loading' }));
    try {
      const value = await fetch(controller.signal);
      if (controller.signal.aborted) return;
      setState({ kind: 'ok', value, reloadError: null });
      onLoaded.current?.(value);
    } catch (e) {
      if (controller.signal.aborted) return;
      const message = errorMessage(e);
      setState((s) =>
        keepOnError && s.kind === 'ok'
          ? { ...s, reloadError: message }
          : { kind: 'failed', message },
      );
    }
  }, [fetch, keepOnError]);

  useEffect(() => {
    void reload();
    return () => current.current?.abort();
  }, [reload]);

  const update = useCallback((change: (value: T) => T) => {
    setState((s) => (s.kind === 'ok' ? { ...s, value: change(s.value) } : s));
  }, []);

  return { state, reload, update };
}
