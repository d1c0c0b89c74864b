import { useEffect, useState } from 'react';
import { Link, navigate, paths, useLocation } from './router';
import { loadSettings, signOut, useSession, type ConsoleSettings } from './session';
import { SettingsContext } from './settings';
import { ErrorState, Loading } from './components/states';
import { CampaignPage } from './pages/campaign';
import { CustomerPage } from './pages/customer';
import { DevicePage } from './pages/device';
import { HomePage } from './pages/home';
import { NetworkPage } from './pages/network';
import { QueuePage } from './pages/queue';
import { SignInPage } from './pages/sign-in';

function Page({ path }: { path: string }) {
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, id, sub] = segments;
  if (segments.length === 0) return <HomePage />;
  if (first === 'customers' && id && sub === 'network' && segments.length === 3) {
    return <NetworkPage customerId={id} />;
  }
  if (first === 'customers' && id && segments.length === 2) return <CustomerPage customerId={id} />;
  if (first === 'devices' && id && segments.length === 2) return <DevicePage serial={id} />;
  if (first === 'campaigns' && id && segments.length === 2) return <CampaignPage campaignId={id} />;
  if (first === 'interventions' && segments.length === 1) return <QueuePage />;
  return (
    <>
      <h1>No such page</h1>
      <p>
        There is nothing at {path}. <Link to={paths.home}>Start again</Link>.
      </p>
    </>
  );
}

export function App() {
  const [settings, setSettings] = useState<ConsoleSettings | null>(null);
  const [problem, setProblem] = useState<Error | null>(null);
  const session = useSession();
  const { path, query } = useLocation();

  useEffect(() => {
    loadSettings().then(setSettings, (error: Error) => setProblem(error));
  }, []);

  // Anyone not signed in signs in first, and comes back to the page they asked for.
  useEffect(() => {
    if (!session && path !== paths.signIn) {
      navigate(`${paths.signIn}?next=${encodeURIComponent(path)}`);
    }
  }, [session, path]);

  if (problem) return <ErrorState error={problem} retry={() => window.location.reload()} />;
  if (!settings) return <Loading what="the console" />;
  return (
    <SettingsContext.Provider value={settings}>
      <header className="top">
        <Link to={paths.home} className="brand">
          Experience Graph <span>console</span>
        </Link>
        {session ? (
          <nav>
            <Link to={paths.home}>Find</Link>
            <Link to={paths.queue}>Intervention queue</Link>
          </nav>
        ) : null}
        {session ? (
          <div className="who">
            <span data-testid="signed-in-as">
              {session.employeeId} · {session.roles.join(', ')}
            </span>
            <button
              type="button"
              onClick={() => {
                signOut();
                navigate(paths.signIn);
              }}
            >
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <main>
        {path === paths.signIn || !session ? (
          <SignInPage next={query.get('next') ?? paths.home} />
        ) : (
          <Page path={path} />
        )}
      </main>
    </SettingsContext.Provider>
  );
}
