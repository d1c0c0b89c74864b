/**
 * What a client of the gateway saw, request by request: how long it waited, the HTTP status,
 * and a code per event (ACCEPTED, DUPLICATE, a REJECTED event's error code) or for the whole
 * answer (a GraphQL error's code, HTTP 503 with Retry-After, no answer in time, no connection).
 */

/** One request as its client saw it. */
export interface Observation {
  kind: 'events' | 'read';
  /** When it was sent, ms since the run began. */
  sentAt: number;
  latencyMs: number;
  /** HTTP status, or null when no answer came. */
  status: number | null;
  /** The answer's outcome codes: one per event, or one for the request. */
  codes: string[];
  /** Whether the client got what it asked for (every event acknowledged; the device read). */
  ok: boolean;
  retryAfter: string | null;
  /** An error message that names something inside: an address, a URL, a socket error. */
  leak: string | null;
}

/** What an error message must never show a client. */
const INTERNAL_DETAIL =
  /\b\d{1,3}(?:\.\d{1,3}){3}:\d+|\b(?:https?|bolt|neo4j):\/\/|ECONNREFUSED|ECONNRESET/;

export interface GraphqlAnswer<T> {
  observation: Observation;
  data: T | null;
}

interface GraphqlBody<T> {
  data?: T | null;
  errors?: Array<{ message?: string; extensions?: { code?: string } }>;
}

/** A GraphQL client that records what every request met. */
export class ObservingClient {
  readonly observations: Observation[] = [];
  private readonly begin: number;

  constructor(
    private readonly url: string,
    private readonly apiKey: string,
    private readonly timeoutMs: number,
    begin: number,
  ) {
    this.begin = begin;
  }

  /** Milliseconds since the run began. */
  now(): number {
    return performance.now() - this.begin;
  }

  async request<T>(
    kind: Observation['kind'],
    query: string,
    variables: Record<string, unknown>,
    judge: (data: T) => { ok: boolean; codes: string[] },
  ): Promise<GraphqlAnswer<T>> {
    const sentAt = this.now();
    const observation: Observation = {
      kind,
      sentAt,
      latencyMs: 0,
      status: null,
      codes: [],
      ok: false,
      retryAfter: null,
      leak: null,
    };
    let data: T | null = null;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      observation.status = response.status;
      observation.retryAfter = response.headers.get('retry-after');
      const text = await response.text();
      let body: GraphqlBody<T> | null = null;
      try {
        body = JSON.parse(text) as GraphqlBody<T>;
      } catch {
        observation.codes = [`HTTP ${response.status} (not JSON)`];
      }
      if (body) {
        const errorCodes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE');
        observation.leak =
          (body.errors ?? []).map((e) => e.message ?? '').find((m) => INTERNAL_DETAIL.test(m)) ??
          null;
        if (body.data) {
          data = body.data;
          const judged = judge(body.data);
          observation.ok = judged.ok && errorCodes.length === 0;
          // A field that failed is null in the data: its error says why, not the null.
          observation.codes =
            errorCodes.length > 0 && !judged.ok ? errorCodes : [...judged.codes, ...errorCodes];
        } else {
          observation.codes = errorCodes.length > 0 ? errorCodes : [`HTTP ${response.status}`];
        }
      }
    } catch (error) {
      const name = (error as Error).name;
      observation.codes = [name === 'TimeoutError' ? 'NO_ANSWER' : 'NO_CONNECTION'];
    }
    observation.latencyMs = this.now() - sentAt;
    if (observation.status !== null && observation.status !== 200) {
      observation.codes = observation.codes.map((c) => `${c} (HTTP ${observation.status})`);
    }
    this.observations.push(observation);
    return { observation, data };
  }
}
