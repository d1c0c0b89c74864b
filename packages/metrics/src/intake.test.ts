import { intakeMetrics } from './intake';
import { createServiceMetrics } from './registry';

describe('intake metrics', () => {
  it('counts each event by kind, status, rejection code and principal', async () => {
    const metrics = createServiceMetrics('products', { processMetrics: false });
    const intake = intakeMetrics(metrics, { kinds: ['installation', 'purchase'] });
    intake.recorded(
      [
        { eventId: 'a', installation: { serial: 's' } },
        { eventId: 'b', installation: { serial: 's' } },
        { eventId: 'c', purchase: {} },
        { eventId: 'd' },
        { eventId: 'e', installation: {}, purchase: {} },
      ],
      [
        { index: 0, status: 'ACCEPTED', error: null },
        { index: 1, status: 'DUPLICATE', error: null },
        { index: 2, status: 'REJECTED', error: { code: 'NOT_FOUND' } },
        { index: 3, status: 'REJECTED', error: { code: 'INVALID_EVENT' } },
        { index: 4, status: 'REJECTED', error: { code: 'INVALID_EVENT' } },
      ],
      { kind: 'person', id: 'cust-ana', customerId: 'cust-ana' },
    );
    const text = await metrics.registry.metrics();
    const line = (kind: string, status: string, code: string, n: number) =>
      `eg_intake_events_total{kind="${kind}",status="${status}",code="${code}",principal="person",service="products"} ${n}`;
    expect(text).toContain(line('installation', 'accepted', 'none', 1));
    expect(text).toContain(line('installation', 'duplicate', 'none', 1));
    expect(text).toContain(line('purchase', 'rejected', 'NOT_FOUND', 1));
    expect(text).toContain(line('unknown', 'rejected', 'INVALID_EVENT', 2));
    expect(text).not.toContain('cust-ana');
  });
});
