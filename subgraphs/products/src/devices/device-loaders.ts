import DataLoader from 'dataloader';
import { keyedLoader } from '@experience-graph/server-kit';
import type {
  DeliveryPerformanceRecord,
  DeviceRecord,
  DeviceRepository,
  JourneyRecord,
  OrderRecord,
  ProductModelRecord,
} from './device-repository';

/**
 * Per-request loaders: however many references the gateway sends in one request, each kind of
 * lookup costs one query.
 */
export function createDeviceLoaders(repo: DeviceRepository) {
  return {
    deviceBySerial: keyedLoader<string, DeviceRecord | null>((s) => repo.devicesBySerial(s), null),
    modelBySku: keyedLoader<string, ProductModelRecord | null>((s) => repo.modelsBySku(s), null),
    devicesByOwner: keyedLoader<string, DeviceRecord[]>((ids) => repo.devicesByOwner(ids), []),
    orderById: keyedLoader<string, OrderRecord | null>((ids) => repo.ordersById(ids), null),
    orderBySerial: keyedLoader<string, OrderRecord | null>((s) => repo.ordersBySerial(s), null),
    journeysByCustomer: keyedLoader<string, JourneyRecord[]>(
      (ids) => repo.journeysByCustomer(ids),
      [],
    ),
    deliveryPerformanceBySku: keyedLoader<string, DeliveryPerformanceRecord | null>(
      (skus) => repo.deliveryPerformanceBySku(skus),
      null,
    ),
    devicesByModel: new DataLoader<{ sku: string; first: number }, DeviceRecord[], string>(
      async (keys) => {
        // Requests for different page sizes are rare; batch each size separately.
        const sizes = [...new Set(keys.map((k) => k.first))];
        const results = new Map<string, DeviceRecord[]>();
        await Promise.all(
          sizes.map(async (first) => {
            const skus = keys.filter((k) => k.first === first).map((k) => k.sku);
            for (const [sku, devices] of await repo.devicesByModel(skus, first)) {
              results.set(`${sku}|${first}`, devices);
            }
          }),
        );
        return keys.map((k) => results.get(`${k.sku}|${k.first}`) ?? []);
      },
      { cacheKeyFn: (k) => `${k.sku}|${k.first}` },
    ),
  };
}

export type DeviceLoaders = ReturnType<typeof createDeviceLoaders>;
