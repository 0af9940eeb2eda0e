/** Renders the app into the page: the part of start-up that needs React and Fluent UI. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import type { AppProps } from './App.js';

export function renderApp(container: HTMLElement, props: AppProps): void {
  createRoot(container).render(
    <StrictMode>
      <App {...props} />
    </StrictMode>,
  );
}
