import { useState, type FormEvent } from 'react';
import {
  InterventionQueueDocument,
  ResolveInterventionDocument,
  type InterventionStatus,
} from '@experience-graph/client';
import { Badge, Empty, ErrorState, Section } from '../components/states';
import { send, useQuery } from '../data';
import { formatPercent, formatTime, humanise } from '../format';
import { Link, navigate, paths, useLocation } from '../router';
import { useSession } from '../session';

const FILTERS: Array<{ value: InterventionStatus | ''; label: string }> = [
  { value: '', label: 'Open and escalated' },
  { value: 'ESCALATED', label: 'Escalated' },
  { value: 'OPEN', label: 'Open' },
  { value: 'AWAITING_CONFIRMATION', label: 'Awaiting confirmation' },
  { value: 'CLOSED', label: 'Closed' },
];

function Resolve({ id, onDone }: { id: string; onDone: (message: string) => void }) {
  const session = useSession();
  const [note, setNote] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!session) return;
    setBusy(true);
    setError(null);
    try {
      const { resolveIntervention } = await send(session.token, ResolveInterventionDocument, {
        input: { interventionId: id, note: note.trim() || null },
      });
      onDone(
        `Resolved ${resolveIntervention.id}${resolveIntervention.assignee ? ` as ${resolveIntervention.assignee}` : ''}${resolveIntervention.status === 'CLOSED' ? ': closed.' : ': its lifecycle closes it.'}`,
      );
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="resolve" onSubmit={(e) => void submit(e)} aria-label={`Resolve ${id}`}>
      <input
        name="note"
        placeholder="What fixed it"
        maxLength={2000}
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      <button type="submit" disabled={busy}>
        Resolve
      </button>
      {error ? <ErrorState error={error} /> : null}
    </form>
  );
}

/** The interventions still being worked on, where an expert resolves an escalated one. */
export function QueuePage() {
  const { query } = useLocation();
  const status = (query.get('status') ?? '') as InterventionStatus | '';
  const [message, setMessage] = useState<string | null>(null);
  // The lifecycles move interventions on by themselves: the queue follows them.
  const loaded = useQuery(
    InterventionQueueDocument,
    { status: status || null, first: 100 },
    { pollMs: 3_000 },
  );
  const filterLabel = FILTERS.find((f) => f.value === status)?.label ?? status;
  return (
    <>
      <h1>Intervention queue</h1>
      <label className="filter">
        Show{' '}
        <select
          name="status"
          value={status}
          onChange={(e) =>
            navigate(e.target.value ? `${paths.queue}?status=${e.target.value}` : paths.queue)
          }
        >
          {FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
      </label>
      {message ? (
        <p className="state done" role="status">
          {message}
        </p>
      ) : null}
      <Section loaded={loaded} what="the intervention queue">
        {({ interventions }) =>
          interventions.length === 0 ? (
            <Empty>No interventions: {filterLabel.toLowerCase()}.</Empty>
          ) : (
            <table className="queue" data-testid="queue">
              <thead>
                <tr>
                  <th>Intervention</th>
                  <th>Device</th>
                  <th>Customer</th>
                  <th>Reason</th>
                  <th>Status</th>
                  <th>Health</th>
                  <th>Opened</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {interventions.map((i) => (
                  <tr key={i.id} data-intervention={i.id}>
                    <td>{i.id}</td>
                    <td>
                      {i.device ? (
                        <Link to={paths.device(i.device.serial)}>{i.device.serial}</Link>
                      ) : (
                        'Before a sale'
                      )}
                      <br />
                      <span className="hint">{i.product.name}</span>
                    </td>
                    <td>
                      {i.customer ? (
                        <Link to={paths.customer(i.customer.id)}>{i.customer.displayName}</Link>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      {humanise(i.reason)}
                      {i.topic ? <div className="hint">{i.topic}</div> : null}
                    </td>
                    <td>
                      <Badge value={i.status} kind="status" />
                      {i.escalatedAt ? (
                        <div className="hint">escalated {formatTime(i.escalatedAt)}</div>
                      ) : null}
                      {i.outcome ? <div className="outcome">{humanise(i.outcome)}</div> : null}
                      {i.assignee ? <div className="hint">by {i.assignee}</div> : null}
                    </td>
                    <td>
                      {i.device?.health ? (
                        <>
                          <Badge value={i.device.health.level} kind="health" />{' '}
                          {formatPercent(i.device.health.failureRisk)}
                          <div className="hint">{i.device.health.reasons[0] ?? ''}</div>
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>{formatTime(i.openedAt)}</td>
                    <td>
                      {i.status === 'ESCALATED' && !i.assignee ? (
                        <Resolve
                          id={i.id}
                          onDone={(m) => {
                            setMessage(m);
                            loaded.reload();
                          }}
                        />
                      ) : i.status === 'CLOSED' ? null : (
                        <span className="hint">
                          {i.status === 'ESCALATED'
                            ? `taken by ${i.assignee}`
                            : 'escalates to an expert if the fix is not confirmed in time'}
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Section>
    </>
  );
}
