import { useSyncExternalStore } from 'react';

/** Who is signed in: an employee's staff token and what it says about them. */
export interface Session {
  token: string;
  employeeId: string;
  roles: string[];
  /** When the token expires, in ms since the epoch; null when it does not say. */
  expiresAt: number | null;
}

/** What the console's server says at start: links, and how people sign in. */
export interface ConsoleSettings {
  temporalUiUrl: string;
  temporalNamespace: string;
  devSignIn: boolean;
  roles: string[];
}

// Per browser tab, gone with it: a staff token is not kept beyond the session.
const KEY = 'experience-graph-console-session';
const listeners = new Set<() => void>();
let cached: { raw: string | null; session: Session | null } = { raw: null, session: null };

/** Reads the claims of a JWT (not its signature: the gateway checks that). */
export function sessionFromToken(token: string): Session | null {
  const payload = token.trim().split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { sub?: unknown; roles?: unknown; exp?: unknown };
    if (typeof claims.sub !== 'string') return null;
    const roles = Array.isArray(claims.roles)
      ? claims.roles.filter((r): r is string => typeof r === 'string')
      : [];
    const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : null;
    return { token: token.trim(), employeeId: claims.sub, roles, expiresAt };
  } catch {
    return null;
  }
}

function read(): Session | null {
  const raw = window.sessionStorage.getItem(KEY);
  if (raw !== cached.raw) {
    const session = raw ? sessionFromToken(raw) : null;
    cached = { raw, session };
  }
  const { session } = cached;
  if (session?.expiresAt != null && session.expiresAt <= Date.now()) return null;
  return session;
}

export function signIn(token: string): Session {
  const session = sessionFromToken(token);
  if (!session) throw new Error('That is not a staff token (a JWT with a subject).');
  window.sessionStorage.setItem(KEY, session.token);
  for (const listener of listeners) listener();
  return session;
}

export function signOut(): void {
  window.sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

export function useSession(): Session | null {
  return useSyncExternalStore((listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, read);
}

/** Asks the console's server to sign a development token (development only). */
export async function devSignIn(employeeId: string, roles: string[]): Promise<Session> {
  const response = await fetch('/api/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ employeeId, roles }),
  });
  const body = (await response.json().catch(() => ({}))) as { token?: string; error?: string };
  if (!response.ok || !body.token) {
    throw new Error(body.error ?? `The console's server answered ${response.status}`);
  }
  return signIn(body.token);
}

export async function loadSettings(): Promise<ConsoleSettings> {
  const response = await fetch('/api/settings');
  if (!response.ok) throw new Error(`The console's server answered ${response.status}`);
  return (await response.json()) as ConsoleSettings;
}
