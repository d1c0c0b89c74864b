/**
 * The steady load of the fault matrix and the soak: devices going through their lifecycles
 * (purchase, shipment, delivery, installation, then telemetry whose error rate starts rising,
 * which opens an intervention), one event per request at a steady rate, and reads of devices in
 * between. An event that was not acknowledged is sent again with the same id, as a partner
 * would; a device's next event waits for the last one's acknowledgement.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { degradingPrinterReadings } from '@experience-graph/device-health';
import type { ObservingClient } from './client';

export const CHAOS_SKU = 'CHAOS-LJ';
const DAY = 24 * 3600_000;

const RECORD = `mutation Chaos($events: [LifecycleEventInput!]!) {
  recordEvents(events: $events) { results { eventId status error { code message } } }
}`;

const READ = `query ChaosDevice($serial: ID!) {
  device(serial: $serial) { stage interventions { id } }
}`;

const SETUP = `mutation ChaosSetup($customer: RegisterCustomerInput!, $device: RegisterDeviceInput!,
    $telemetry: SetConsentInput!, $contact: SetConsentInput!) {
  registerCustomer(input: $customer) { id }
  registerDevice(input: $device) { serial }
  telemetry: setConsent(input: $telemetry) { granted }
  contact: setConsent(input: $contact) { granted }
}`;

const MODEL = `mutation ChaosModel($model: RegisterProductModelInput!) {
  registerProductModel(input: $model) { sku }
}`;

interface EventResult {
  eventId: string;
  status: string;
  error: { code: string; message: string } | null;
}

/** One event a device's story sends, with the readings it carries (telemetry). */
export interface StoryEvent {
  eventId: string;
  body: Record<string, unknown>;
  readingIds: string[];
  kind: string;
}

/** A device of the load and where it is in its story. */
export interface LoadDevice {
  serial: string;
  customerId: string;
  story: StoryEvent[];
  /** The next event to send; story.length when done. */
  next: number;
  setUp: boolean;
  busy: boolean;
  /** Whether the degrading telemetry (which should open one intervention) was acknowledged. */
  degraded: boolean;
  /** Waiting for SUPPORT before the degrading telemetry. */
  readyForTelemetry: boolean;
  /** Support requests acknowledged while it waited. */
  supportRequests: number;
  /** Healthy telemetry events sent after its story (a fleet's). */
  liveReadings: number;
}

/** Every event acknowledged (ACCEPTED or DUPLICATE), by id. */
export type Acknowledged = Map<string, StoryEvent>;

/** The story of one device: its sale and delivery, its installation, then its telemetry. */
export function deviceStory(serial: string, customerId: string, start: number): StoryEvent[] {
  const at = (days: number) => new Date(start + days * DAY).toISOString();
  const order = `${serial}-order`;
  const readings = degradingPrinterReadings(`${serial}-r`, start);
  const telemetry = (part: string, from: number, to: number): StoryEvent => {
    const slice = readings.slice(from, to);
    return {
      eventId: `${serial}-telemetry-${part}`,
      kind: 'telemetry',
      readingIds: slice.map((r) => r.readingId),
      body: { occurredAt: at(0), telemetry: { serial, readings: slice } },
    };
  };
  const event = (kind: string, days: number, data: Record<string, unknown>): StoryEvent => ({
    eventId: `${serial}-${kind}`,
    kind,
    readingIds: [],
    body: { occurredAt: at(days), [kind]: data },
  });
  return [
    event('purchase', -40, {
      customerId,
      serial,
      orderId: order,
      amount: 199,
      currency: 'USD',
      promisedDeliveryAt: at(-36),
    }),
    event('shipmentUpdate', -39.5, {
      orderId: order,
      carrier: 'Parcel Co',
      status: 'In transit',
      expectedDeliveryAt: at(-37),
    }),
    event('delivery', -37, { orderId: order, inFull: true }),
    event('installation', -36.5, { serial }),
    // The first 16 days of readings are healthy; the last 12 show the error rate rising.
    telemetry('healthy-1', 0, 32),
    telemetry('healthy-2', 32, 64),
    telemetry('degrading', 64, readings.length),
  ];
}

export interface LoadOptions {
  runId: string;
  devices: number;
  rate: number;
  /**
   * A fixed fleet (the soak): the first `devices` devices only, which once their stories are
   * told go on reporting healthy telemetry and asking for support, so that what the system
   * keeps in memory stays the same size; otherwise (the faults) a new device takes the place of
   * each that finished.
   */
  fleet?: boolean;
}

/** Runs the load until `stop` aborts; then lets devices in their story finish (`drain`). */
export class Load {
  readonly devices: LoadDevice[] = [];
  readonly acknowledged: Acknowledged = new Map();
  /** Events answered REJECTED with a code other than UNAVAILABLE: the load sends none such. */
  readonly rejected: Array<{ eventId: string; code: string; message: string }> = [];
  private counter = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: ObservingClient,
    private readonly options: LoadOptions,
  ) {}

  /** Registers the product model every device of the load is an instance of (retried). */
  async prepare(deadline: number): Promise<void> {
    for (;;) {
      const { observation } = await this.client.request(
        'read',
        MODEL,
        { model: { sku: CHAOS_SKU, name: 'Chaos printer', category: 'printer' } },
        () => ({ ok: true, codes: ['OK'] }),
      );
      if (observation.ok) return;
      if (Date.now() > deadline) {
        throw new Error(`Could not register the product model: ${observation.codes.join(', ')}`);
      }
      await sleep(1_000);
    }
  }

  private newDevice(): LoadDevice {
    const n = ++this.counter;
    const serial = `${this.options.runId}-PRN-${String(n).padStart(4, '0')}`;
    const customerId = `${this.options.runId}-cust-${n}`;
    const device: LoadDevice = {
      serial,
      customerId,
      story: deviceStory(serial, customerId, Date.now()),
      next: 0,
      setUp: false,
      busy: false,
      degraded: false,
      readyForTelemetry: false,
      supportRequests: 0,
      liveReadings: 0,
    };
    this.devices.push(device);
    return device;
  }

  private active(): LoadDevice[] {
    return this.devices.filter((d) => d.next < d.story.length);
  }

  private async setUp(device: LoadDevice): Promise<void> {
    const { observation } = await this.client.request(
      'events',
      SETUP,
      {
        customer: { id: device.customerId, displayName: `Chaos ${device.customerId}` },
        device: { serial: device.serial, sku: CHAOS_SKU },
        telemetry: { customerId: device.customerId, purpose: 'TELEMETRY_USE', granted: true },
        contact: {
          customerId: device.customerId,
          purpose: 'MARKETING_CONTACT',
          granted: true,
          channels: ['EMAIL'],
        },
      },
      () => ({ ok: true, codes: ['OK'] }),
    );
    if (observation.ok) device.setUp = true;
  }

  private async step(device: LoadDevice): Promise<void> {
    if (!device.setUp) return this.setUp(device);
    const event = device.story[device.next];
    if (!event) return;
    if (event.eventId.endsWith('-degrading') && !device.readyForTelemetry) {
      // Degrading telemetry acts on an installed device: wait until its stage says SUPPORT.
      const { data } = await this.client.request<{ device: { stage: string | null } | null }>(
        'read',
        READ,
        { serial: device.serial },
        (d) => ({ ok: d.device !== null, codes: [d.device ? 'OK' : 'NOT_FOUND'] }),
      );
      if (data?.device?.stage === 'SUPPORT') device.readyForTelemetry = true;
      else return this.send(device, this.supportRequest(device), false);
    }
    return this.send(device, event, true);
  }

  /**
   * A support request from the owner while the device waits for its lifecycle: steady writes
   * that no lifecycle has to act on (the intake signals none), so that writes go on whatever
   * the stories wait for.
   */
  private supportRequest(device: LoadDevice): StoryEvent {
    device.supportRequests++;
    return {
      eventId: `${device.serial}-support-${device.supportRequests}`,
      kind: 'supportRequest',
      readingIds: [],
      body: {
        occurredAt: new Date().toISOString(),
        supportRequest: { serial: device.serial, topic: 'Where is my printer?' },
      },
    };
  }

  private async send(device: LoadDevice, event: StoryEvent, inStory: boolean): Promise<void> {
    const { data } = await this.client.request<{ recordEvents: { results: EventResult[] } }>(
      'events',
      RECORD,
      { events: [{ eventId: event.eventId, ...event.body }] },
      (d) => ({
        ok: d.recordEvents.results.every((r) => r.status !== 'REJECTED'),
        codes: d.recordEvents.results.map((r) =>
          r.status === 'REJECTED' ? (r.error?.code ?? 'REJECTED') : r.status,
        ),
      }),
    );
    const result = data?.recordEvents.results[0];
    if (!result) return;
    if (result.status === 'ACCEPTED' || result.status === 'DUPLICATE') {
      this.acknowledged.set(event.eventId, event);
      if (!inStory) return;
      if (event.eventId.endsWith('-degrading')) device.degraded = true;
      device.next++;
    } else if (result.error?.code !== 'UNAVAILABLE') {
      this.rejected.push({
        eventId: event.eventId,
        code: result.error?.code ?? 'REJECTED',
        message: result.error?.message ?? '',
      });
      if (inStory) device.next++;
    } else if (!inStory) {
      // Not acknowledged: a support request is sent again under the same id, like a story's.
      if (event.kind === 'supportRequest') device.supportRequests--;
      else device.liveReadings--;
    }
  }

  /** A device of the fleet after its story: healthy readings now, or a support request. */
  private async live(device: LoadDevice, tick: number): Promise<void> {
    if (tick % 3 === 0) return this.send(device, this.supportRequest(device), false);
    device.liveReadings++;
    const readings = Array.from({ length: 4 }, (_, i) => ({
      readingId: `${device.serial}-live-${device.liveReadings}-${i}`,
      at: new Date(Date.now() - (4 - i) * 1000).toISOString(),
      pagesPrinted: 40,
      errors: 0,
      paperJams: 0,
      inkLevel: 80,
    }));
    return this.send(
      device,
      {
        eventId: `${device.serial}-live-${device.liveReadings}`,
        kind: 'telemetry',
        readingIds: readings.map((r) => r.readingId),
        body: {
          occurredAt: new Date().toISOString(),
          telemetry: { serial: device.serial, readings },
        },
      },
      false,
    );
  }

  /** A read of a device, as an app would make one. */
  private async read(): Promise<void> {
    const known = this.devices.filter((d) => d.setUp);
    const device = known[Math.floor(Math.random() * known.length)];
    if (!device) return;
    await this.client.request<{ device: unknown }>(
      'read',
      READ,
      { serial: device.serial },
      (d) => ({
        ok: d.device !== null,
        codes: [d.device ? 'OK' : 'NOT_FOUND'],
      }),
    );
  }

  private launch(work: Promise<void>, device?: LoadDevice): void {
    if (device) device.busy = true;
    const tracked = work
      .catch((error: unknown) => {
        console.error(`chaos load: ${(error as Error).message}`);
      })
      .finally(() => {
        if (device) device.busy = false;
        this.inFlight.delete(tracked);
      });
    this.inFlight.add(tracked);
  }

  /**
   * Sends one request every 1/rate s (a read every other tick) until `stop` aborts, keeping
   * `devices` devices in their stories, then goes on without new devices until every story is
   * told or `drainDeadline()` passes. Resolves the devices whose story was not finished.
   */
  async run(
    stop: AbortSignal,
    drainDeadline: () => number,
    abort: AbortSignal,
  ): Promise<LoadDevice[]> {
    const interval = 1000 / this.options.rate;
    let tick = 0;
    let next = performance.now();
    while (!abort.aborted) {
      const draining = stop.aborted;
      if (draining && (this.active().length === 0 || Date.now() > drainDeadline())) break;
      if (this.options.fleet) {
        while (this.devices.length < this.options.devices) this.newDevice();
      } else {
        while (!draining && this.active().length < this.options.devices) this.newDevice();
      }
      tick++;
      if (tick % 2 === 0) this.launch(this.read());
      const active = this.active();
      if (this.options.fleet && active.length === 0 && !draining) {
        // Every story told: the fleet goes on living, one device per tick.
        const device = this.devices.filter((d) => !d.busy)[tick % this.devices.length];
        if (device) this.launch(this.live(device, tick), device);
      } else {
        const idle = active.filter((d) => !d.busy);
        const device = idle[tick % Math.max(idle.length, 1)];
        if (device) this.launch(this.step(device), device);
      }
      next += interval;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait, undefined, { signal: abort }).catch(() => undefined);
      else next = performance.now();
    }
    await Promise.allSettled([...this.inFlight]);
    return this.active();
  }
}
