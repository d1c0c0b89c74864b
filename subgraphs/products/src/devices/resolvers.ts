import {
  DateTimeScalar,
  badUserInput,
  notFound,
  parseArgument,
} from '@experience-graph/server-kit';
import {
  reachesDevice,
  reachesOrder,
  reachesProductModel,
  type Principal,
} from '@experience-graph/access';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { ProductsContext } from '../context';
import type { DeviceRecord, OrderRecord, ProductModelRecord } from './device-repository';
import { pageSize, registerDeviceInput, registerProductModelInput } from './device-input';

/** What the principal reaches, else null: an object out of reach answers like a missing one. */
const within =
  <T>(reaches: (principal: Principal, record: T) => boolean) =>
  (principal: Principal, record: T | null): T | null =>
    record !== null && reaches(principal, record) ? record : null;
const deviceInReach = within<DeviceRecord>(reachesDevice);
const orderInReach = within<OrderRecord>(reachesOrder);
const modelInReach = within<ProductModelRecord>((p, m) => reachesProductModel(p, m.sku));

/** A device by serial, if the principal reaches it (its owner, its model's device cloud, staff). */
export async function reachableDevice(
  { loaders, principal }: Pick<ProductsContext, 'loaders' | 'principal'>,
  serial: string,
): Promise<DeviceRecord | null> {
  return deviceInReach(principal, await loaders.deviceBySerial.load(serial));
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,

  Query: {
    device: (_parent, { serial }, context) => reachableDevice(context, serial),
    productModel: async (_parent, { sku }, { loaders, principal }) =>
      modelInReach(principal, await loaders.modelBySku.load(sku)),
    order: async (_parent, { id }, { loaders, principal }) =>
      orderInReach(principal, await loaders.orderById.load(id)),
  },

  Mutation: {
    registerProductModel: (_parent, args, { devices }) =>
      devices.upsertProductModel(parseArgument(registerProductModelInput, args.input, 'input')),

    async registerDevice(_parent, args, { devices }) {
      const { serial, sku } = parseArgument(registerDeviceInput, args.input, 'input');
      const outcome = await devices.registerDevice(serial, sku);
      switch (outcome.kind) {
        case 'registered':
          return outcome.device;
        case 'unknown-model':
          throw notFound(`No product model has sku ${sku}`, 'input.sku');
        case 'serial-taken':
          throw badUserInput(
            `Serial ${serial} is already registered to model ${outcome.sku}`,
            'input.serial',
          );
      }
    },
  },

  Device: {
    __resolveReference: ({ serial }, context) => reachableDevice(context, serial),
    async model({ sku }, _args, { loaders }) {
      const model = await loaders.modelBySku.load(sku);
      // The graph guarantees it: a device is only registered against an existing model.
      if (!model) throw new Error(`Device model ${sku} is missing from the graph`);
      return model;
    },
    // The owner of a gift reaches the device, not the order its buyer placed.
    order: async ({ serial }, _args, { loaders, principal }) =>
      orderInReach(principal, await loaders.orderBySerial.load(serial)),
  },

  Order: {
    __resolveReference: async ({ id }, { loaders, principal }) =>
      orderInReach(principal, await loaders.orderById.load(id)),
  },

  Journey: {
    async product({ sku }, _args, { loaders }) {
      const model = await loaders.modelBySku.load(sku);
      if (!model) throw new Error(`Journey model ${sku} is missing from the graph`);
      return model;
    },
  },

  ProductModel: {
    __resolveReference: async ({ sku }, { loaders, principal }) =>
      modelInReach(principal, await loaders.modelBySku.load(sku)),
    devices: ({ sku }, { first }, { loaders }) =>
      loaders.devicesByModel.load({ sku, first: parseArgument(pageSize, first, 'first') }),
    async deliveryPerformance({ sku }, _args, { loaders }) {
      const performance = await loaders.deliveryPerformanceBySku.load(sku);
      return (
        performance ?? {
          orders: 0,
          delivered: 0,
          onTimeRate: null,
          inFullRate: null,
          otifRate: null,
        }
      );
    },
  },

  Customer: {
    devices: ({ id }, _args, { loaders }) => loaders.devicesByOwner.load(id),
    journeys: ({ id }, _args, { loaders }) => loaders.journeysByCustomer.load(id),
  },
};
