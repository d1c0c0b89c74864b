/**
 * Typed operations of the Experience Graph gateway: one `…Document` per operation in
 * `src/operations` (a `TypedDocumentNode` of its result and variables types, such as
 * `DeviceExperienceDocument` with `DeviceExperienceQuery` and `DeviceExperienceQueryVariables`),
 * the schema's enums and input types, and {@link request} to send a document.
 */
export * from './__generated__/graphql.ts';
export {
  GraphQLRequestError,
  request,
  type Credential,
  type GraphQLErrorEntry,
  type RequestOptions,
} from './request.ts';
