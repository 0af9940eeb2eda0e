/** Reading what the host and the URL say: theme names, view names, and a timeout for host calls. */

/** The three Teams themes. */
export type HostThemeName = 'default' | 'dark' | 'contrast';
/** The two personal tabs of the app manifest. */
export type HostView = 'dashboard' | 'tasks';

/** Teams says `default`, `dark` or `contrast`; anything else is treated as light. */
export function parseThemeName(value: string | null | undefined): HostThemeName | null {
  switch (value?.toLowerCase()) {
    case 'default':
    case 'light':
      return 'default';
    case 'dark':
      return 'dark';
    case 'contrast':
    case 'high-contrast':
      return 'contrast';
    default:
      return null;
  }
}

export function parseView(value: string | null | undefined): HostView | null {
  switch (value?.toLowerCase()) {
    case 'tasks':
    case 'mytasks':
    case 'my-tasks':
      return 'tasks';
    case 'dashboard':
      return 'dashboard';
    default:
      return null;
  }
}

/** Rejects with a timeout error unless `promise` settles within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
