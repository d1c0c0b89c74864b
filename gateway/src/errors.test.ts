import pino from 'pino';
import { formatError, withoutSuggestions } from './errors';

const format = formatError(pino({ level: 'silent' }));

describe('withoutSuggestions', () => {
  it('removes the hints for fields, enum values and types', () => {
    expect(
      withoutSuggestions('Cannot query field "nam" on type "Customer". Did you mean "name"?'),
    ).toBe('Cannot query field "nam" on type "Customer".');
    expect(
      withoutSuggestions(
        'Value "EMAL" does not exist in "IdentifierNamespace" enum. Did you mean the enum value "EMAIL"?',
      ),
    ).toBe('Value "EMAL" does not exist in "IdentifierNamespace" enum.');
    expect(
      withoutSuggestions('Unknown type "Devic". Did you mean "Device" or "DeviceHealth"?'),
    ).toBe('Unknown type "Devic".');
  });
});

describe('formatError', () => {
  it('keeps errors written for clients, without internal extensions', () => {
    expect(
      format(
        {
          message: 'No such device',
          extensions: { code: 'NOT_FOUND', field: 'serial', serviceName: 'products' },
        },
        null,
      ),
    ).toEqual({ message: 'No such device', extensions: { code: 'NOT_FOUND', field: 'serial' } });
  });

  it('turns a failed subgraph fetch into UNAVAILABLE and anything unexpected into a neutral error', () => {
    expect(
      format(
        {
          message: 'request to http://127.0.0.1:4001/graphql failed, reason: connect ECONNREFUSED',
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
        null,
      ),
    ).toEqual({
      message: 'A service behind the gateway is unavailable; try again later',
      extensions: { code: 'UNAVAILABLE' },
    });
    expect(
      format({ message: 'Cannot read properties of undefined', path: ['device'] }, null),
    ).toEqual({
      message: 'Internal server error',
      path: ['device'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('keeps the code but not the words of a client error that names an internal address', () => {
    expect(
      format(
        {
          message: 'Temporal at 10.1.2.3:7233 is unavailable',
          extensions: { code: 'UNAVAILABLE' },
        },
        null,
      ),
    ).toEqual({
      message: 'A service behind the gateway is unavailable; try again later',
      extensions: { code: 'UNAVAILABLE' },
    });
  });
});
