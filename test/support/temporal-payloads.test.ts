import { defaultPayloadConverter } from '@temporalio/client';
import { marksOf, textsOf } from './temporal-payloads';

const payload = (value: unknown) => defaultPayloadConverter.toPayload(value);

describe('reading what Temporal returned', () => {
  // Shaped as a history is: payloads as bytes, deep in events, in search attributes and memos.
  const history = {
    events: [
      {
        workflowExecutionStartedEventAttributes: {
          input: { payloads: [payload({ customerId: 'cust-7', sku: 'LJ-200' })] },
          memo: { fields: { owner: payload('Ana Example') } },
        },
      },
      {
        upsertWorkflowSearchAttributesEventAttributes: {
          searchAttributes: { indexedFields: { CustomerId: payload('cust-7') } },
        },
      },
      {
        activityTaskFailedEventAttributes: {
          failure: { message: 'near 52.520008, 13.404954', cause: { message: 'inner' } },
        },
      },
    ],
  };

  it('decodes every payload, where a plain JSON.stringify of the bytes sees nothing', () => {
    const texts = textsOf(history).map((t) => t.text);
    expect(texts).toContain(JSON.stringify({ customerId: 'cust-7', sku: 'LJ-200' }));
    expect(texts).toContain('Ana Example');
    expect(texts).toContain('cust-7');
    expect(texts).toContain('near 52.520008, 13.404954');
    expect(texts).toContain('inner');
    expect(JSON.stringify(history)).not.toContain('Ana Example');
  });

  it('says where each text came from', () => {
    const where = textsOf(history)
      .filter((t) => t.text === 'Ana Example')
      .map((t) => t.where);
    expect(where).toContain(
      'events[0].workflowExecutionStartedEventAttributes.memo.fields.owner(decoded)',
    );
  });

  it('looks for a person in the forms their details take', () => {
    expect(
      marksOf({
        customerId: 'cust-7',
        name: 'Ana Example',
        email: 'Ana@Example.com',
        phone: '+44 20 7946 0000',
        coordinates: [{ latitude: 52.520008, longitude: 13.404954 }],
        other: [' '],
      }),
    ).toEqual([
      'cust-7',
      'Ana Example',
      'Ana@Example.com',
      'ana@example.com',
      '+44 20 7946 0000',
      '442079460000',
      '+442079460000',
      '52.520008',
      '13.404954',
    ]);
  });
});
