import { formatBytes, payloadTooLargeBody } from './body-limit';

describe('the answer to a body over the limit', () => {
  it('names both sizes in MB, KB or bytes', () => {
    expect(formatBytes(14_161_536)).toBe('13.5 MB');
    expect(formatBytes(4096)).toBe('4.0 KB');
    expect(formatBytes(512)).toBe('512 bytes');
    expect(payloadTooLargeBody(14_161_536, 15_938_356)).toEqual({
      errors: [
        {
          message: 'The request body is 15.2 MB; at most 13.5 MB is accepted',
          extensions: { code: 'PAYLOAD_TOO_LARGE', maxBytes: 14_161_536, bytes: 15_938_356 },
        },
      ],
    });
  });

  it('says "more than" when the size was not declared (chunked or compressed)', () => {
    expect(payloadTooLargeBody(4096, null)).toEqual({
      errors: [
        {
          message: 'The request body is more than 4.0 KB; at most 4.0 KB is accepted',
          extensions: { code: 'PAYLOAD_TOO_LARGE', maxBytes: 4096 },
        },
      ],
    });
  });

  it('gives bytes when both sizes round to the same figure', () => {
    expect(payloadTooLargeBody(14_161_536, 14_161_600).errors[0]?.message).toBe(
      'The request body is 14161600 bytes; at most 14161536 bytes (13.5 MB) is accepted',
    );
  });
});
