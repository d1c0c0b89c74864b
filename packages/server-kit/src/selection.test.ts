import { buildSchema, graphql, type GraphQLResolveInfo } from 'graphql';
import { selectedFields } from './selection';

const schema = buildSchema(`
  type Query { person(id: ID!): Person, people: [Person!]! }
  type Person { id: ID!, name: String, posts(first: Int = 10): [Post!]!, friend: Person }
  type Post { title: String, likes: Int }
`);

/** The selection the `person` resolver sees for `query`. */
async function selectionOf(query: string, variableValues: Record<string, unknown> = {}) {
  let seen: ReturnType<typeof selectedFields> | undefined;
  const result = await graphql({
    schema,
    source: query,
    variableValues,
    rootValue: {
      person: (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
        seen = selectedFields(info, 'Person');
        return { id: '1', posts: [] };
      },
    },
  });
  expect(result.errors).toBeUndefined();
  if (!seen) throw new Error('person was not resolved');
  return Object.fromEntries(
    [...seen].map(([name, field]) => [name, { args: field.args, fields: [...field.fields] }]),
  );
}

describe('selectedFields', () => {
  it('collects fields with their arguments, defaults and variables applied', async () => {
    expect(
      await selectionOf('query ($n: Int) { person(id: 1) { id posts(first: $n) { title } } }', {
        n: 3,
      }),
    ).toEqual({ id: { args: {}, fields: [] }, posts: { args: { first: 3 }, fields: ['title'] } });
    expect(await selectionOf('{ person(id: 1) { posts { likes } } }')).toEqual({
      posts: { args: { first: 10 }, fields: ['likes'] },
    });
  });

  it('follows inline and named fragments, and honours @skip and @include', async () => {
    expect(
      await selectionOf(
        `query ($yes: Boolean!) {
           person(id: 1) {
             ... on Person { name }
             ...Friendly
             id @skip(if: $yes)
             posts @include(if: $yes) { ...Titles }
           }
         }
         fragment Friendly on Person { friend { id } }
         fragment Titles on Post { title }`,
        { yes: true },
      ),
    ).toEqual({
      name: { args: {}, fields: [] },
      friend: { args: {}, fields: ['id'] },
      posts: { args: { first: 10 }, fields: ['title'] },
    });
  });

  it('keeps the first of aliased occurrences, merging sub-fields of those with its arguments', async () => {
    expect(
      await selectionOf(`{
        person(id: 1) {
          posts(first: 2) { title }
          again: posts(first: 2) { likes }
          more: posts(first: 50) { title }
        }
      }`),
    ).toEqual({ posts: { args: { first: 2 }, fields: ['title', 'likes'] } });
  });

  it('refuses a type the schema has no object of', async () => {
    await expect(
      graphql({
        schema,
        source: '{ person(id: 1) { id } }',
        rootValue: {
          person: (_a: unknown, _c: unknown, info: GraphQLResolveInfo) =>
            selectedFields(info, 'Nobody'),
        },
      }),
    ).resolves.toEqual(
      expect.objectContaining({
        errors: [
          expect.objectContaining({ message: 'Nobody is not an object type of the schema' }),
        ],
      }),
    );
  });
});
