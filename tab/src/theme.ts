/** The Fluent UI theme for each Teams theme. */
import {
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
} from '@fluentui/react-components';
import type { Theme } from '@fluentui/react-components';
import type { HostThemeName } from './host-params.js';

const themes: Record<HostThemeName, Theme> = {
  default: teamsLightTheme,
  dark: teamsDarkTheme,
  contrast: teamsHighContrastTheme,
};

/** Maps a Teams theme name to the Fluent UI theme that matches it. */
export function fluentThemeOf(name: HostThemeName): Theme {
  return themes[name];
}
