import { createContext, useContext } from 'react';
import type { ConsoleSettings } from './session';

export const SettingsContext = createContext<ConsoleSettings | null>(null);

/** The settings the console's server gave at start; the app renders only once it has them. */
export function useSettings(): ConsoleSettings {
  const settings = useContext(SettingsContext);
  if (!settings) throw new Error('useSettings outside the app');
  return settings;
}

/** A device's lifecycle workflow in the Temporal Web UI. */
export function workflowUrl(settings: ConsoleSettings, workflowId: string): string {
  // Workflow ids are business keys (`device:PRN-0001`): the colon stays readable.
  const id = encodeURIComponent(workflowId).replace(/%3A/gi, ':');
  return `${settings.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(settings.temporalNamespace)}/workflows/${id}`;
}
