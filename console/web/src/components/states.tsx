import type { ReactNode } from 'react';
import { GraphQLRequestError } from '@experience-graph/client';
import { useSession } from '../session';
import { Link, paths } from '../router';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

/** An error as the gateway gave it, with what the employee can do about it. */
export function ErrorState({ error, retry }: { error: Error; retry?: () => void }) {
  const session = useSession();
  const codes = error instanceof GraphQLRequestError ? error.codes : [];
  const forbidden = codes.includes('FORBIDDEN');
  return (
    <div className="state error" role="alert">
      <p>
        <strong>{forbidden ? 'Not allowed.' : 'Something went wrong.'}</strong> {error.message}
      </p>
      {forbidden && session ? (
        <p>
          Signed in as {session.employeeId} ({session.roles.join(', ') || 'no roles'}).{' '}
          <Link to={paths.signIn}>Sign in with another role</Link> that may read this.
        </p>
      ) : null}
      {retry ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** A query's three states around its content. */
export function Section<T>({
  title,
  loaded,
  what,
  children,
}: {
  title?: string;
  loaded: { state: string; data: T | null; error: Error | null; reload: () => void };
  what: string;
  children: (data: T) => ReactNode;
}) {
  return (
    <>
      {title ? <h1>{title}</h1> : null}
      {loaded.error ? <ErrorState error={loaded.error} retry={loaded.reload} /> : null}
      {loaded.data === null && loaded.state === 'loading' ? <Loading what={what} /> : null}
      {loaded.data !== null ? children(loaded.data) : null}
    </>
  );
}

export function Badge({ value, kind }: { value: string | null | undefined; kind?: string }) {
  return (
    <span className={`badge ${kind ?? ''} ${(value ?? 'none').toLowerCase()}`}>{value ?? '—'}</span>
  );
}
