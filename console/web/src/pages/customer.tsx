import { CustomerViewDocument } from '@experience-graph/client';
import { Badge, Empty, Section } from '../components/states';
import { useQuery } from '../data';
import { formatDay, formatMoney, formatNumber, formatTime, humanise } from '../format';
import { Link, paths } from '../router';

/** A customer's single view: who they are, what they are worth, their devices and journey. */
export function CustomerPage({ customerId }: { customerId: string }) {
  const loaded = useQuery(CustomerViewDocument, { id: customerId, timeline: 100 });
  return (
    <Section loaded={loaded} what={`customer ${customerId}`}>
      {({ customer }) =>
        !customer ? (
          <>
            <h1>Customer {customerId}</h1>
            <Empty>No customer has id {customerId}.</Empty>
          </>
        ) : (
          <>
            <h1>
              {customer.displayName} <small>{customer.id}</small>
            </h1>
            <div className="grid">
              <section className="card" aria-label="Value">
                <h2>Value</h2>
                <dl className="facts">
                  <dt>Total</dt>
                  <dd data-testid="value-total">{formatMoney(customer.value.total)}</dd>
                  <dt>Own purchases</dt>
                  <dd>{formatMoney(customer.value.historical)}</dd>
                  <dt>From referrals</dt>
                  <dd>{formatMoney(customer.value.referral)}</dd>
                  <dt>Helpfulness</dt>
                  <dd>{formatMoney(customer.value.helpfulness)}</dd>
                  <dt>People referred</dt>
                  <dd>{customer.value.peopleReferred}</dd>
                  {customer.value.predicted ? (
                    <>
                      <dt>Predicted ({customer.value.predicted.horizonDays} days)</dt>
                      <dd>
                        {customer.value.predicted.expectedValue == null
                          ? '—'
                          : formatMoney(customer.value.predicted.expectedValue)}{' '}
                        · alive {formatNumber(customer.value.predicted.probabilityAlive * 100, 0)}%
                      </dd>
                    </>
                  ) : null}
                </dl>
                <p>
                  <Link to={paths.network(customer.id)}>Referral network</Link>
                  {customer.referredBy ? (
                    <>
                      {' '}
                      · referred by{' '}
                      <Link to={paths.customer(customer.referredBy.id)}>
                        {customer.referredBy.displayName}
                      </Link>
                    </>
                  ) : null}
                </p>
              </section>
              <section className="card" aria-label="Devices">
                <h2>Devices</h2>
                {customer.devices.length === 0 ? (
                  <Empty>No devices.</Empty>
                ) : (
                  <table>
                    <thead>
                      <tr>
                        <th>Serial</th>
                        <th>Model</th>
                        <th>Stage</th>
                      </tr>
                    </thead>
                    <tbody>
                      {customer.devices.map((d) => (
                        <tr key={d.serial}>
                          <td>
                            <Link to={paths.device(d.serial)}>{d.serial}</Link>
                          </td>
                          <td>{d.model.name}</td>
                          <td>
                            <Badge value={d.stage} kind="stage" />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </section>
              <section className="card" aria-label="Profile">
                <h2>Profile</h2>
                <dl className="facts">
                  <dt>Known since</dt>
                  <dd>{formatDay(customer.createdAt)}</dd>
                  <dt>Data quality</dt>
                  <dd>
                    {customer.dataQuality.score}/100
                    {customer.dataQuality.missing.length > 0
                      ? ` (missing: ${customer.dataQuality.missing.join(', ')})`
                      : ''}
                  </dd>
                  <dt>Sentiment</dt>
                  <dd>
                    {customer.sentiment.score == null
                      ? '—'
                      : `${formatNumber(customer.sentiment.score, 2)} over ${customer.sentiment.mentions}`}
                  </dd>
                  <dt>Segments</dt>
                  <dd>{customer.segments.map((s) => s.name).join(', ') || '—'}</dd>
                  <dt>Identities</dt>
                  <dd>
                    {customer.identities
                      .map((i) => `${humanise(i.namespace)} ${i.value}`)
                      .join(' · ') || '—'}
                  </dd>
                  <dt>Consents</dt>
                  <dd>
                    {customer.consents
                      .map(
                        (c) =>
                          `${humanise(c.purpose)}: ${c.granted ? 'yes' : 'no'}${c.channels.length ? ` (${c.channels.join(', ')})` : ''}`,
                      )
                      .join(' · ') || '—'}
                  </dd>
                  <dt>Campaigns touched</dt>
                  <dd>
                    {customer.campaignsTouched.length === 0
                      ? '—'
                      : customer.campaignsTouched.map((c, i) => (
                          <span key={c.id}>
                            {i > 0 ? ', ' : ''}
                            <Link to={paths.campaign(c.id)}>{c.name}</Link>
                          </span>
                        ))}
                  </dd>
                  <dt>Coupons</dt>
                  <dd>{customer.coupons.map((c) => c.code).join(', ') || '—'}</dd>
                </dl>
              </section>
            </div>
            <section className="card" aria-label="Journey">
              <h2>Journey across channels</h2>
              {customer.timeline.length === 0 ? (
                <Empty>No touchpoints yet.</Empty>
              ) : (
                <ol className="timeline" data-testid="timeline">
                  {customer.timeline.map((t) => (
                    <li key={t.eventId}>
                      <time dateTime={t.occurredAt}>{formatTime(t.occurredAt)}</time>
                      <Badge value={t.channel} kind="channel" />
                      <strong>{humanise(t.type)}</strong>
                      <span className="about">
                        {[
                          t.campaign?.name,
                          t.product?.name,
                          t.store?.name,
                          t.sentiment == null ? null : `sentiment ${formatNumber(t.sentiment, 2)}`,
                        ]
                          .filter(Boolean)
                          .join(' · ')}
                        {t.device ? (
                          <>
                            {' · '}
                            <Link to={paths.device(t.device.serial)}>{t.device.serial}</Link>
                          </>
                        ) : null}
                      </span>
                    </li>
                  ))}
                </ol>
              )}
            </section>
          </>
        )
      }
    </Section>
  );
}
