/** A minimal GraphQL-over-HTTP client for scripts: errors become exceptions with their paths. */
export async function graphqlRequest<T>(
  gateway: { url: string; apiKey: string },
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const { url } = gateway;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as {
    data?: T;
    errors?: Array<{ message: string; path?: unknown[] }>;
  };
  if (body.errors?.length) {
    throw new Error(
      body.errors.map((e) => `${e.message}${e.path ? ` at ${e.path.join('.')}` : ''}`).join('; '),
    );
  }
  if (!response.ok || body.data === undefined)
    throw new Error(`${url} answered ${response.status}`);
  return body.data;
}
