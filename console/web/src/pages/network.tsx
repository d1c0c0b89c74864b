import { useMemo } from 'react';
import {
  ConsoleReferralNetworkDocument,
  type ConsoleNetworkPersonFragment,
  type ConsoleReferralNetworkQuery,
} from '@experience-graph/client';
import { NetworkGraph, type NetworkEdge, type NetworkNode } from '../components/network-graph';
import { Empty, Section } from '../components/states';
import { useQuery } from '../data';
import { formatMoney } from '../format';
import { Link, paths } from '../router';

type Focus = NonNullable<ConsoleReferralNetworkQuery['customer']>;

interface Person extends ConsoleNetworkPersonFragment {
  /** Who recommended this person, within the network shown. */
  referrer: string | null;
}

/** Everyone the query reached, once each, with who referred whom. */
function flatten(focus: Focus): Person[] {
  const people = new Map<string, Person>();
  const add = (p: ConsoleNetworkPersonFragment, referrer: string | null) => {
    const known = people.get(p.id);
    if (!known) people.set(p.id, { ...p, referrer });
    else if (referrer && !known.referrer) known.referrer = referrer;
  };
  const up = focus.referredBy;
  if (up?.referredBy) add(up.referredBy, null);
  if (up) {
    add(up, up.referredBy?.id ?? null);
    for (const sibling of up.referrals) add(sibling, up.id);
  }
  add(focus, up?.id ?? null);
  for (const a of focus.referrals) {
    add(a, focus.id);
    for (const b of a.referrals) {
      add(b, a.id);
      for (const c of b.referrals) add(c, b.id);
    }
  }
  return [...people.values()];
}

/** The referral network around a customer, as a graph, with each person's value. */
export function NetworkPage({ customerId }: { customerId: string }) {
  const loaded = useQuery(ConsoleReferralNetworkDocument, { id: customerId });
  const customer = loaded.data?.customer ?? null;
  const people = useMemo(() => (customer ? flatten(customer) : []), [customer]);
  const graph = useMemo(() => {
    const nodes: NetworkNode[] = people.map((p) => ({
      id: p.id,
      label: `${p.displayName}\n${formatMoney(p.value.total)}`,
      weight: p.value.total,
      focus: p.id === customer?.id,
    }));
    const edges: NetworkEdge[] = people
      .filter((p) => p.referrer !== null)
      .map((p) => ({ from: p.referrer ?? '', to: p.id }));
    return { nodes, edges };
  }, [people, customer]);

  return (
    <Section loaded={loaded} what={`the referral network of ${customerId}`}>
      {(data) =>
        !data.customer ? (
          <>
            <h1>Referral network</h1>
            <Empty>No customer has id {customerId}.</Empty>
          </>
        ) : (
          <>
            <h1>
              Referral network of{' '}
              <Link to={paths.customer(data.customer.id)}>{data.customer.displayName}</Link>
            </h1>
            {people.length <= 1 ? (
              <Empty>
                {data.customer.displayName} was referred by no one and has referred no one yet.
              </Empty>
            ) : (
              <>
                <section className="card">
                  <NetworkGraph nodes={graph.nodes} edges={graph.edges} />
                  <p className="hint">
                    An arrow goes from who recommended to who was recommended; a node’s size is the
                    person’s total value.
                  </p>
                </section>
                <section className="card">
                  <table data-testid="network-people">
                    <thead>
                      <tr>
                        <th>Person</th>
                        <th>Referred by</th>
                        <th>Own purchases</th>
                        <th>From referrals</th>
                        <th>Helpful answers</th>
                        <th>Total value</th>
                        <th>People referred</th>
                      </tr>
                    </thead>
                    <tbody>
                      {people.map((p) => (
                        <tr key={p.id} className={p.id === data.customer?.id ? 'focus' : ''}>
                          <td>
                            <Link to={paths.network(p.id)}>{p.displayName}</Link>
                          </td>
                          <td>{people.find((q) => q.id === p.referrer)?.displayName ?? '—'}</td>
                          <td>{formatMoney(p.value.historical)}</td>
                          <td>{formatMoney(p.value.referral)}</td>
                          <td>{formatMoney(p.value.helpfulness)}</td>
                          <td>{formatMoney(p.value.total)}</td>
                          <td>{p.value.peopleReferred}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </section>
              </>
            )}
          </>
        )
      }
    </Section>
  );
}
