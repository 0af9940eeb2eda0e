/**
 * Small DOM helpers shared by the plain pages (set-up, sign-in start and end): they carry no
 * React, so they load fast in Teams' set-up dialog and sign-in pop-up.
 */
import type { HostThemeName } from './host-params.js';

/** The element with `id`, which the page's HTML must contain. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The page has no #${id}`);
  return el as T;
}

/** Shows one section of the page and hides the others named in `all`. */
export function showOnly(id: string, all: readonly string[]): void {
  for (const other of all) byId(other).hidden = other !== id;
}

/** Applies a Teams theme; the stylesheet maps `data-theme` to colours. */
export function applyTheme(theme: HostThemeName): void {
  document.documentElement.dataset.theme = theme;
}
