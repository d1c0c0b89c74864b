import { subgraphCodegen } from '../codegen-preset';

export default subgraphCodegen({
  contextType: '../context#ProductsContext',
  mappers: {
    Device: '../devices/device-repository#DeviceRecord',
    ProductModel: '../devices/device-repository#ProductModelRecord',
  },
});
