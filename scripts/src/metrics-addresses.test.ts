import { loadConfig } from '@experience-graph/config';
import { metricsAddresses } from './app-services';

describe('where npm start says metrics are', () => {
  it('names every process, on the ports the configuration gives', () => {
    const config = loadConfig({ GATEWAY_METRICS_PORT: '9400', PRODUCTS_PORT: '5001' });
    expect(Object.fromEntries(metricsAddresses(config))).toEqual({
      gateway: 'http://127.0.0.1:9400/metrics',
      products: 'http://127.0.0.1:5001/metrics',
      customers: 'http://127.0.0.1:4002/metrics',
      campaigns: 'http://127.0.0.1:4003/metrics',
      relay: 'http://127.0.0.1:4005/metrics',
      console: 'http://127.0.0.1:4016/metrics',
      worker: 'http://127.0.0.1:4017/metrics',
      'worker (Temporal SDK)': 'http://127.0.0.1:4018/metrics',
    });
  });
});
