import { loadConfig } from './index';

describe('metrics configuration', () => {
  it('serves the metrics of public and portless processes on loopback by default', () => {
    expect(loadConfig({}).metrics).toEqual({
      host: '127.0.0.1',
      gatewayPort: 4010,
      consolePort: 4016,
      workerPort: 4017,
      workerTemporalPort: 4018,
    });
  });

  it('takes other addresses and names a bad port', () => {
    const config = loadConfig({ METRICS_HOST: '0.0.0.0', GATEWAY_METRICS_PORT: '9400' });
    expect(config.metrics).toMatchObject({ host: '0.0.0.0', gatewayPort: 9400 });
    expect(() => loadConfig({ WORKER_TEMPORAL_METRICS_PORT: '70000' })).toThrow(
      /WORKER_TEMPORAL_METRICS_PORT: .*\(got "70000"\)/,
    );
  });
});
