import { useMemo } from 'react';
import type { ChartConfiguration } from 'chart.js';
import {
  ConsoleDeviceLifecycleDocument,
  type ConsoleDeviceLifecycleQuery,
} from '@experience-graph/client';
import { ChartCanvas } from '../components/chart';
import { Badge, Empty, Section } from '../components/states';
import { useQuery } from '../data';
import {
  formatDay,
  formatMoney,
  formatNumber,
  formatPercent,
  formatTime,
  humanise,
} from '../format';
import { Link, paths } from '../router';
import { useSettings, workflowUrl } from '../settings';

/** The stages a device's lifecycle walks through after its sale, in order. */
const STAGES = ['PURCHASED', 'DELIVERING', 'INSTALLING', 'SUPPORT'] as const;

type Reading = NonNullable<ConsoleDeviceLifecycleQuery['device']>['telemetry'][number];

/** Error rate (errors per page printed) and ink level of each reading, over time. */
function TelemetryChart({ readings }: { readings: Reading[] }) {
  const config = useMemo<ChartConfiguration>(
    () => ({
      type: 'line',
      data: {
        labels: readings.map((r) =>
          new Date(r.at).toLocaleString('en-GB', {
            day: 'numeric',
            month: 'short',
            hour: '2-digit',
          }),
        ),
        datasets: [
          {
            label: 'Error rate (% of pages)',
            data: readings.map((r) => (r.pagesPrinted > 0 ? (100 * r.errors) / r.pagesPrinted : 0)),
            borderColor: '#b3261e',
            backgroundColor: '#b3261e',
            pointRadius: 0,
            yAxisID: 'errors',
          },
          {
            label: 'Ink (%)',
            data: readings.map((r) => r.inkLevel),
            borderColor: '#5b8def',
            backgroundColor: '#5b8def',
            pointRadius: 0,
            yAxisID: 'ink',
          },
        ],
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { ticks: { maxTicksLimit: 8 } },
          errors: { type: 'linear', position: 'left', beginAtZero: true },
          ink: {
            type: 'linear',
            position: 'right',
            min: 0,
            max: 100,
            grid: { drawOnChartArea: false },
          },
        },
      },
    }),
    [readings],
  );
  return (
    <ChartCanvas
      config={config}
      label="Error rate and ink level of each telemetry reading"
      testId="telemetry-chart"
    />
  );
}

/** A device's lifecycle: stage, the events of its life, health, telemetry and interventions. */
export function DevicePage({ serial }: { serial: string }) {
  const settings = useSettings();
  const loaded = useQuery(ConsoleDeviceLifecycleDocument, { serial });
  return (
    <Section loaded={loaded} what={`device ${serial}`}>
      {({ device }) => {
        if (!device) {
          return (
            <>
              <h1>Device {serial}</h1>
              <Empty>No device has serial {serial}.</Empty>
            </>
          );
        }
        const reached = device.stage ? STAGES.indexOf(device.stage as (typeof STAGES)[number]) : -1;
        const events = (device.owner?.timeline ?? [])
          .filter((t) => t.device?.serial === device.serial)
          .reverse();
        const workflowId = device.lifecycleWorkflowId ?? `device:${device.serial}`;
        return (
          <>
            <h1>
              {device.serial} <small>{device.model.name}</small>
            </h1>
            <section className="card" aria-label="Lifecycle">
              <h2>Lifecycle</h2>
              <ol className="stages" data-testid="stages">
                {STAGES.map((stage, i) => (
                  <li
                    key={stage}
                    className={i < reached ? 'past' : i === reached ? 'current' : 'future'}
                    aria-current={i === reached ? 'step' : undefined}
                  >
                    {humanise(stage)}
                  </li>
                ))}
                {device.stage && reached < 0 ? (
                  <li className="current" aria-current="step">
                    {humanise(device.stage)}
                  </li>
                ) : null}
              </ol>
              <h3>Stage history</h3>
              {device.stageHistory.length === 0 ? (
                <Empty>Its lifecycle has not started.</Empty>
              ) : (
                <ol className="stage-history" data-testid="stage-history">
                  {device.stageHistory.map((change) => (
                    <li key={`${change.stage}-${change.at}`}>
                      <Badge value={change.stage} kind="stage" /> {formatTime(change.at)}
                    </li>
                  ))}
                </ol>
              )}
              <dl className="facts">
                <dt>Stage</dt>
                <dd>
                  <Badge value={device.stage} kind="stage" /> since{' '}
                  {formatTime(device.stageChangedAt)}
                </dd>
                <dt>Owner</dt>
                <dd>
                  {device.owner ? (
                    <Link to={paths.customer(device.owner.id)}>{device.owner.displayName}</Link>
                  ) : (
                    '—'
                  )}
                </dd>
                <dt>Registered</dt>
                <dd>{formatDay(device.registeredAt)}</dd>
                {device.order ? (
                  <>
                    <dt>Order</dt>
                    <dd>
                      {device.order.id}, {formatMoney(device.order.amount, device.order.currency)}{' '}
                      on {formatDay(device.order.placedAt)}
                    </dd>
                    <dt>Delivery</dt>
                    <dd>
                      promised {formatDay(device.order.promisedDeliveryAt)}
                      {device.order.deliveredAt
                        ? `, delivered ${formatDay(device.order.deliveredAt)} (${device.order.onTime ? 'on time' : 'late'}, ${device.order.inFull ? 'in full' : 'not in full'})`
                        : device.order.expectedDeliveryAt
                          ? `, expected ${formatDay(device.order.expectedDeliveryAt)}`
                          : ''}
                      {device.order.carrier
                        ? ` · ${device.order.carrier}: ${device.order.carrierStatus ?? ''}`
                        : ''}
                    </dd>
                  </>
                ) : null}
                <dt>Workflow</dt>
                <dd>
                  <a
                    href={workflowUrl(settings, workflowId)}
                    target="_blank"
                    rel="noreferrer"
                    data-testid="workflow-link"
                  >
                    {workflowId} in the Temporal Web UI
                  </a>
                </dd>
              </dl>
              <h3>Events of its life</h3>
              {events.length === 0 ? (
                <Empty>
                  No events about this device{device.owner ? '' : ' (it has no owner)'}.
                </Empty>
              ) : (
                <ol className="timeline" data-testid="device-events">
                  {events.map((t) => (
                    <li key={t.eventId}>
                      <time dateTime={t.occurredAt}>{formatTime(t.occurredAt)}</time>
                      <Badge value={t.channel} kind="channel" />
                      <strong>{humanise(t.type)}</strong>
                    </li>
                  ))}
                </ol>
              )}
            </section>
            <div className="grid">
              <section className="card" aria-label="Health">
                <h2>Health</h2>
                {!device.health ? (
                  <Empty>No telemetry yet.</Empty>
                ) : (
                  <>
                    <p>
                      <Badge value={device.health.level} kind="health" /> failure risk{' '}
                      {formatPercent(device.health.failureRisk)}
                      {device.health.failureHorizonDays != null
                        ? `, failure expected in ${formatNumber(device.health.failureHorizonDays)} days`
                        : ''}
                    </p>
                    <ul className="reasons" data-testid="health-reasons">
                      {device.health.reasons.map((r) => (
                        <li key={r}>{r}</li>
                      ))}
                    </ul>
                    <dl className="facts">
                      <dt>Ink</dt>
                      <dd>
                        {formatNumber(device.health.inkLevel, 0)}%
                        {device.health.inkEmptyInDays != null
                          ? `, empty in ${formatNumber(device.health.inkEmptyInDays)} days`
                          : ''}
                      </dd>
                      <dt>Last reading</dt>
                      <dd>{formatTime(device.health.lastReadingAt)}</dd>
                    </dl>
                  </>
                )}
              </section>
              <section className="card" aria-label="Telemetry">
                <h2>Telemetry</h2>
                {device.telemetry.length === 0 ? (
                  <Empty>No readings yet.</Empty>
                ) : (
                  <>
                    <TelemetryChart readings={device.telemetry} />
                    <p className="hint">
                      The latest {device.telemetry.length} readings, from{' '}
                      {formatTime(device.telemetry[0]?.at)} to{' '}
                      {formatTime(device.telemetry.at(-1)?.at)}.
                    </p>
                  </>
                )}
              </section>
            </div>
            <div className="grid">
              <section className="card" aria-label="Interventions">
                <h2>Interventions</h2>
                {device.interventions.length === 0 ? (
                  <Empty>No interventions.</Empty>
                ) : (
                  <table data-testid="device-interventions">
                    <thead>
                      <tr>
                        <th>Opened</th>
                        <th>Reason</th>
                        <th>Status</th>
                        <th>What happened</th>
                      </tr>
                    </thead>
                    <tbody>
                      {device.interventions.map((i) => (
                        <tr key={i.id}>
                          <td>{formatTime(i.openedAt)}</td>
                          <td>{humanise(i.reason)}</td>
                          <td>
                            <Badge value={i.status} kind="status" />
                          </td>
                          <td>
                            {[
                              i.notifiedVia ? `told via ${i.notifiedVia}` : null,
                              i.partShippedAt ? `part shipped ${formatDay(i.partShippedAt)}` : null,
                              i.escalatedAt ? `escalated ${formatTime(i.escalatedAt)}` : null,
                              i.outcome ? humanise(i.outcome) : null,
                              i.assignee ? `by ${i.assignee}` : null,
                            ]
                              .filter(Boolean)
                              .join(' · ') || '—'}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                <p>
                  <Link to={paths.queue}>Intervention queue</Link>
                </p>
              </section>
            </div>
          </>
        );
      }}
    </Section>
  );
}
