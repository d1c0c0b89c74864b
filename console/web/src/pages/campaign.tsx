import { useMemo } from 'react';
import type { ChartConfiguration } from 'chart.js';
import { CampaignFunnelDocument } from '@experience-graph/client';
import { ChartCanvas } from '../components/chart';
import { Empty, Section } from '../components/states';
import { useQuery } from '../data';
import { formatMoney, formatPercent, humanise } from '../format';

/** A campaign's funnel by stage and the revenue attributed to it under each model. */
export function CampaignPage({ campaignId }: { campaignId: string }) {
  const loaded = useQuery(CampaignFunnelDocument, { id: campaignId, model: 'LINEAR' });
  const campaign = loaded.data?.campaign ?? null;
  const funnelChart = useMemo<ChartConfiguration | null>(
    () =>
      campaign
        ? {
            type: 'bar',
            data: {
              labels: campaign.funnel.stages.map((s) => humanise(s.stage)),
              datasets: [
                {
                  label: 'People',
                  data: campaign.funnel.stages.map((s) => s.people),
                  backgroundColor: '#5b8def',
                },
              ],
            },
            options: {
              indexAxis: 'y',
              plugins: { legend: { display: false } },
              scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
            },
          }
        : null,
    [campaign],
  );
  const attributionChart = useMemo<ChartConfiguration | null>(
    () =>
      campaign
        ? {
            type: 'bar',
            data: {
              labels: campaign.funnel.attributedRevenue.map((m) => humanise(m.model)),
              datasets: [
                {
                  label: 'Attributed revenue',
                  data: campaign.funnel.attributedRevenue.map((m) => m.revenue),
                  backgroundColor: '#e8833a',
                },
              ],
            },
            options: {
              plugins: { legend: { display: false } },
              scales: { y: { beginAtZero: true } },
            },
          }
        : null,
    [campaign],
  );

  return (
    <Section loaded={loaded} what={`campaign ${campaignId}`}>
      {(data) =>
        !data.campaign ? (
          <>
            <h1>Campaign {campaignId}</h1>
            <Empty>No campaign has id {campaignId}.</Empty>
          </>
        ) : (
          <>
            <h1>
              {data.campaign.name} <small>{data.campaign.id}</small>
            </h1>
            <p className="hint">
              {humanise(data.campaign.channel)} for {data.campaign.product.name}, moving people into{' '}
              {humanise(data.campaign.journeyStage)}. {data.campaign.conversions} conversions,{' '}
              {data.campaign.funnel.purchases} purchases influenced worth{' '}
              {formatMoney(data.campaign.funnel.revenueInfluenced)}.
            </p>
            <div className="grid">
              <section className="card" aria-label="Funnel">
                <h2>Funnel</h2>
                {data.campaign.funnel.stages.every((s) => s.people === 0) ? (
                  <Empty>Nobody has seen this campaign yet.</Empty>
                ) : funnelChart ? (
                  <ChartCanvas
                    config={funnelChart}
                    label="People at each stage of the funnel"
                    testId="funnel-chart"
                  />
                ) : null}
                <table data-testid="funnel">
                  <thead>
                    <tr>
                      <th>Stage</th>
                      <th>People</th>
                      <th>From previous</th>
                      <th>From first</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.campaign.funnel.stages.map((s) => (
                      <tr key={s.stage}>
                        <td>{humanise(s.stage)}</td>
                        <td>{s.people}</td>
                        <td>{formatPercent(s.conversionFromPrevious)}</td>
                        <td>{formatPercent(s.conversionFromFirst)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
              <section className="card" aria-label="Attribution">
                <h2>Attribution</h2>
                {data.campaign.funnel.attributedRevenue.every((m) => m.revenue === 0) ? (
                  <Empty>No revenue is attributed to this campaign yet.</Empty>
                ) : attributionChart ? (
                  <ChartCanvas
                    config={attributionChart}
                    label="Revenue attributed to the campaign by model"
                    testId="attribution-chart"
                  />
                ) : null}
                <table data-testid="attribution">
                  <thead>
                    <tr>
                      <th>Model</th>
                      <th>Attributed revenue</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.campaign.funnel.attributedRevenue.map((m) => (
                      <tr key={m.model}>
                        <td>{humanise(m.model)}</td>
                        <td>{formatMoney(m.revenue)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <h3>Delivery</h3>
                <dl className="facts">
                  <dt>Orders</dt>
                  <dd>
                    {data.campaign.deliveryPerformance.orders} (
                    {data.campaign.deliveryPerformance.delivered} delivered)
                  </dd>
                  <dt>On time</dt>
                  <dd>{formatPercent(data.campaign.deliveryPerformance.onTimeRate)}</dd>
                  <dt>In full</dt>
                  <dd>{formatPercent(data.campaign.deliveryPerformance.inFullRate)}</dd>
                  <dt>OTIF</dt>
                  <dd>{formatPercent(data.campaign.deliveryPerformance.otifRate)}</dd>
                </dl>
              </section>
            </div>
          </>
        )
      }
    </Section>
  );
}
