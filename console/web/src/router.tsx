import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

// A few pages with ids in their paths need no routing library: the address is the state.
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const currentLocation = () => `${window.location.pathname}${window.location.search}`;

/** Goes to a page of the console without reloading it. */
export function navigate(to: string): void {
  if (to === currentLocation()) return;
  window.history.pushState(null, '', to);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

/** The current path and query, e.g. `/customers/cust-ana`. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const location = useSyncExternalStore(subscribe, currentLocation);
  const url = new URL(location, window.location.origin);
  return { path: url.pathname, query: url.searchParams };
}

/** A link to a page of the console; a modified click (new tab) is left to the browser. */
export function Link({
  to,
  children,
  ...rest
}: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}

/** The path of a page about one object, its id escaped. */
export const paths = {
  home: '/',
  signIn: '/sign-in',
  customer: (id: string) => `/customers/${encodeURIComponent(id)}`,
  network: (id: string) => `/customers/${encodeURIComponent(id)}/network`,
  device: (serial: string) => `/devices/${encodeURIComponent(serial)}`,
  campaign: (id: string) => `/campaigns/${encodeURIComponent(id)}`,
  queue: '/interventions',
};
