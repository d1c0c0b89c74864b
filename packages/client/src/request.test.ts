import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { GraphQLRequestError, request } from './request.ts';

const DEVICE = parse(
  'query DeviceStage($serial: ID!) { device(serial: $serial) { serial stage } }',
) as TypedDocumentNode<
  { device: { serial: string; stage: string | null } | null },
  { serial: string }
>;

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: { query: string; variables: unknown; operationName?: string };
}

/** A fetch that records what it was asked and answers with the given status and body. */
function answering(status: number, body: string) {
  const sent: Sent[] = [];
  const fake = (async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({
      url: String(url),
      headers: init?.headers as Record<string, string>,
      body: JSON.parse(String(init?.body)) as Sent['body'],
    });
    return new Response(body, { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetch: fake, sent };
}

const ENDPOINT = 'http://gateway.test/graphql';

describe('request', () => {
  it('posts the printed operation with its name and variables, and resolves with the data', async () => {
    const gateway = answering(200, '{"data":{"device":{"serial":"PRN-1","stage":"SUPPORT"}}}');
    const data = await request(
      ENDPOINT,
      DEVICE,
      { serial: 'PRN-1' },
      { token: 'a.b.c', fetch: gateway.fetch },
    );
    expect(data.device?.stage).toBe('SUPPORT');
    const [sent] = gateway.sent;
    expect(sent?.url).toBe(ENDPOINT);
    expect(sent?.body.operationName).toBe('DeviceStage');
    expect(sent?.body.variables).toEqual({ serial: 'PRN-1' });
    expect(parse(sent?.body.query ?? '')).toMatchObject({ kind: 'Document' });
    expect(sent?.headers['content-type']).toBe('application/json');
  });

  it('sends a token or an API key as a bearer credential, and extra headers as given', async () => {
    const gateway = answering(200, '{"data":{"device":null}}');
    await request(ENDPOINT, DEVICE, { serial: 'x' }, { token: 'a.b.c', fetch: gateway.fetch });
    await request(
      ENDPOINT,
      DEVICE,
      { serial: 'x' },
      { apiKey: 'key-1', headers: { 'x-request-id': 'r1' }, fetch: gateway.fetch },
    );
    expect(gateway.sent.map((s) => s.headers['authorization'])).toEqual([
      'Bearer a.b.c',
      'Bearer key-1',
    ]);
    expect(gateway.sent[1]?.headers['x-request-id']).toBe('r1');
  });

  it('refuses to send without a credential', async () => {
    const gateway = answering(200, '{"data":{}}');
    await expect(
      request(ENDPOINT, DEVICE, { serial: 'x' }, { token: '', fetch: gateway.fetch }),
    ).rejects.toThrow('request needs an API key (apiKey) or a token (token) to send');
    expect(gateway.sent).toHaveLength(0);
  });

  it('rejects with the GraphQL errors, their codes and the partial data', async () => {
    const gateway = answering(
      200,
      JSON.stringify({
        data: { device: null },
        errors: [
          { message: 'Not allowed', path: ['device'], extensions: { code: 'FORBIDDEN' } },
          { message: 'Also wrong', extensions: { code: 'BAD_USER_INPUT' } },
        ],
      }),
    );
    const error = await request(
      ENDPOINT,
      DEVICE,
      { serial: 'x' },
      { apiKey: 'k', fetch: gateway.fetch },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLRequestError);
    const failure = error as GraphQLRequestError;
    expect(failure.message).toBe('Not allowed (FORBIDDEN) and 1 more error(s)');
    expect(failure.codes).toEqual(['FORBIDDEN', 'BAD_USER_INPUT']);
    expect(failure.errors[0]?.path).toEqual(['device']);
    expect(failure.status).toBe(200);
    expect(failure.data).toEqual({ device: null });
  });

  it('rejects a 401 with its status and code', async () => {
    const gateway = answering(
      401,
      '{"errors":[{"message":"The API key is not valid","extensions":{"code":"UNAUTHENTICATED"}}]}',
    );
    await expect(
      request(ENDPOINT, DEVICE, { serial: 'x' }, { apiKey: 'wrong', fetch: gateway.fetch }),
    ).rejects.toMatchObject({
      status: 401,
      codes: ['UNAUTHENTICATED'],
      message: 'The API key is not valid (UNAUTHENTICATED)',
    });
  });

  it('rejects an answer that is not GraphQL, quoting it', async () => {
    const gateway = answering(502, '<html>Bad gateway</html>');
    await expect(
      request(ENDPOINT, DEVICE, { serial: 'x' }, { apiKey: 'k', fetch: gateway.fetch }),
    ).rejects.toThrow(
      'The gateway answered 502 without a GraphQL response: <html>Bad gateway</html>',
    );
  });

  it('refuses a document of several operations, which the gateway could not choose from', async () => {
    const gateway = answering(200, '{"data":{}}');
    const two = parse('query A { segments { id } } query B { segments { id } }');
    await expect(request(ENDPOINT, two, {}, { apiKey: 'k', fetch: gateway.fetch })).rejects.toThrow(
      'A document to send must hold one operation; it holds 2',
    );
  });
});
