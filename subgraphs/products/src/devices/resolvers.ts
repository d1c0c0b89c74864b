import {
  DateTimeScalar,
  badUserInput,
  notFound,
  parseArgument,
} from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import { pageSize, registerDeviceInput, registerProductModelInput } from './device-input';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,

  Query: {
    device: (_parent, { serial }, { loaders }) => loaders.deviceBySerial.load(serial),
    productModel: (_parent, { sku }, { loaders }) => loaders.modelBySku.load(sku),
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
    __resolveReference: ({ serial }, { loaders }) => loaders.deviceBySerial.load(serial),
    async model({ sku }, _args, { loaders }) {
      const model = await loaders.modelBySku.load(sku);
      // The graph guarantees it: a device is only registered against an existing model.
      if (!model) throw new Error(`Device model ${sku} is missing from the graph`);
      return model;
    },
    order: ({ serial }, _args, { loaders }) => loaders.orderBySerial.load(serial),
  },

  Order: {
    __resolveReference: ({ id }, { loaders }) => loaders.orderById.load(id),
  },

  Journey: {
    async product({ sku }, _args, { loaders }) {
      const model = await loaders.modelBySku.load(sku);
      if (!model) throw new Error(`Journey model ${sku} is missing from the graph`);
      return model;
    },
  },

  ProductModel: {
    __resolveReference: ({ sku }, { loaders }) => loaders.modelBySku.load(sku),
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
