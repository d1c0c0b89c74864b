import { useState, type FormEvent } from 'react';
import { navigate } from '../router';
import { devSignIn, signIn } from '../session';
import { useSettings } from '../settings';

const ROLE_HELP: Record<string, string> = {
  support: 'any customer’s single view and devices, the whole intervention queue',
  marketer: 'campaigns, funnels and attribution; never a person',
  expert: 'interventions escalated to experts, which they resolve',
  admin: 'everything',
};

/** Signing in: choosing roles in development, a staff token of the identity provider otherwise. */
export function SignInPage({ next }: { next: string }) {
  const settings = useSettings();
  const [employeeId, setEmployeeId] = useState('e-console-1');
  const [roles, setRoles] = useState<string[]>(['support', 'marketer', 'expert']);
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const safeNext = next.startsWith('/') && !next.startsWith('//') ? next : '/';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (settings.devSignIn) await devSignIn(employeeId, roles);
      else signIn(token);
      navigate(safeNext === '/sign-in' ? '/' : safeNext);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="sign-in card" onSubmit={(e) => void submit(e)}>
      <h1>Sign in</h1>
      {settings.devSignIn ? (
        <>
          <p className="hint">
            Development: the console signs a staff token for the roles you choose, with the key the
            local gateway trusts. The gateway decides what each role may read.
          </p>
          <label>
            Employee id
            <input
              name="employeeId"
              value={employeeId}
              onChange={(e) => setEmployeeId(e.target.value)}
              required
            />
          </label>
          <fieldset>
            <legend>Roles</legend>
            {settings.roles.map((role) => (
              <label key={role} className="check">
                <input
                  type="checkbox"
                  name="role"
                  value={role}
                  checked={roles.includes(role)}
                  onChange={(e) =>
                    setRoles((r) => (e.target.checked ? [...r, role] : r.filter((x) => x !== role)))
                  }
                />
                <strong>{role}</strong> <span className="hint">{ROLE_HELP[role] ?? ''}</span>
              </label>
            ))}
          </fieldset>
        </>
      ) : (
        <label>
          Staff token from your identity provider
          <textarea
            name="token"
            rows={5}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            required
          />
        </label>
      )}
      {error ? (
        <p className="state error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" disabled={busy || (settings.devSignIn && roles.length === 0)}>
        Sign in
      </button>
    </form>
  );
}
