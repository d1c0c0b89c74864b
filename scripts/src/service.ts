/** What `services status` says of a service. */
export type ServiceState = string;

/** A backing service that the project can bring up on this machine or find already running. */
export interface ManagedService {
  name: string;
  /** Where clients reach it, for the start-up summary. */
  address: string;
  status(): Promise<ServiceState>;
  /** Makes the service usable: reuses a running one, or installs and starts it. */
  up(): Promise<'started' | 'reused'>;
}
