import { GraphQLError } from 'graphql';
import { formatDependencyErrors, isDependencyAway } from './dependency-errors';

const driverError = (code: string, message = 'Failed to connect to server 127.0.0.1:7687') =>
  Object.assign(new Error(message), { code });

describe('errors of a dependency that is away', () => {
  it.each([
    ['Neo4j unreachable', driverError('ServiceUnavailable')],
    ['a Neo4j session lost mid-way', driverError('SessionExpired')],
    [
      'a transient Neo4j error retried in vain',
      driverError('Neo.TransientError.General.DatabaseUnavailable'),
    ],
    [
      'no pooled connection in time',
      driverError('N/A', 'Connection acquisition timed out in 5000 ms.'),
    ],
    [
      'Temporal refusing',
      Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }),
    ],
    [
      'a Temporal call past its deadline',
      new Error('call failed', {
        cause: Object.assign(new Error('Deadline exceeded'), { code: 4 }),
      }),
    ],
  ])('are recognised: %s', (_what, error) => {
    expect(isDependencyAway(error)).toBe(true);
  });

  it.each([
    ['a Cypher syntax error', driverError('Neo.ClientError.Statement.SyntaxError')],
    ['a constraint violation', driverError('Neo.ClientError.Schema.ConstraintValidationFailed')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('are told apart from others: %s', (_what, error) => {
    expect(isDependencyAway(error)).toBe(false);
  });

  it('answer UNAVAILABLE without the driver message, keeping the path; others pass unchanged', () => {
    const away = new GraphQLError('Failed to connect to server 127.0.0.1:7687', {
      path: ['device'],
      originalError: driverError('ServiceUnavailable'),
    });
    expect(formatDependencyErrors({ message: away.message, path: ['device'] }, away)).toEqual({
      message: 'A service this request needs is unavailable; try again later',
      path: ['device'],
      extensions: { code: 'UNAVAILABLE' },
    });
    const other = { message: 'device: no such serial', extensions: { code: 'NOT_FOUND' } };
    expect(formatDependencyErrors(other, new GraphQLError(other.message))).toBe(other);
  });
});
