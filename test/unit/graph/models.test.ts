/** The wire readers: Graph's JSON against the CSDL, item by item. */
import { GraphQLError } from 'graphql';
import { isIsoDateTime, readAssignment, readDeviceState, readPool } from '../../../src/graph/models';
import { DateTime } from '../../../src/graphql/resolvers/scalars';

const POOL = {
  id: '6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01',
  displayName: 'p',
  activationCodeCount: 1,
  createdDateTime: '2026-01-01T00:00:00Z',
  modifiedDateTime: '2026-01-01T00:00:00Z',
};

it.each([
  ['2026-03-01T09:30:00Z', true],
  ['2026-03-01T09:30:00.1234567Z', true],
  ['2026-03-01T09:30:00+05:30', true],
  ['2026-03-01T09:30Z', true],
  ['2024-02-29T00:00:00Z', true],
  ['0001-01-01T00:00:00Z', true],
  ['2026-02-30T00:00:00Z', false],
  ['2026-13-01T00:00:00Z', false],
  ['2026-03-01T24:00:00Z', false],
  ['2026-03-01T09:30:00', false],
  ['2026-03-01T09:30:00.12345678Z', false],
  ['not a date', false],
  [1767225600000, false],
])('isIsoDateTime(%p) is %p', (value, expected) => {
  expect(isIsoDateTime(value)).toBe(expected);
});

it.each([
  ['a count of 2^31 - 1', { activationCodeCount: 2 ** 31 - 1 }, undefined],
  ['a count of 0', { activationCodeCount: 0 }, undefined],
  ['a count over Int32', { activationCodeCount: 2 ** 31 }, 'activationCodeCount'],
  ['a negative count', { activationCodeCount: -1 }, 'activationCodeCount'],
  ['a fractional count', { activationCodeCount: 2.5 }, 'activationCodeCount'],
  ['a count as a string', { activationCodeCount: '1' }, 'activationCodeCount'],
  ['an empty id', { id: '' }, 'id'],
  ['an id that climbs', { id: '..' }, 'id'],
  ['no displayName', { displayName: undefined }, 'displayName'],
  ['an @odata.type that is not a name', { '@odata.type': 7 }, '@odata.type'],
])('readPool: %s', (_name, change, problem) => {
  const read = readPool({ ...POOL, ...change });
  if (problem === undefined) expect(read.ok).toBe(true);
  else expect(read).toEqual({ ok: false, problem: expect.stringContaining(problem) });
});

it("readAssignment: '#' added to @odata.type, other target properties kept, a wrong-typed one refused", () => {
  const read = readAssignment({ id: 'a', target: { '@odata.type': 'microsoft.graph.groupAssignmentTarget', groupId: null, futureProperty: 1 } });
  expect(read).toEqual({ ok: true, value: { id: 'a', target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: null, futureProperty: 1 } } });
  expect(readAssignment({ id: 'a', target: { '@odata.type': '#x', groupId: 42 } })).toEqual({ ok: false, problem: "target's groupId is not a string or null" });
  expect(readAssignment({ id: '', target: { '@odata.type': '#x' } }).ok).toBe(false);
  expect(readAssignment({ id: 'a', target: {} }).ok).toBe(false);
});

it('readDeviceState: an unknown state is kept as received; a bad optional date is refused', () => {
  const state = { id: 's', state: 'someNewValue', createdDateTime: POOL.createdDateTime, modifiedDateTime: POOL.modifiedDateTime };
  expect(readDeviceState(state)).toEqual({ ok: true, value: state });
  expect(readDeviceState({ ...state, lastSyncDateTime: null }).ok).toBe(true);
  expect(readDeviceState({ ...state, lastSyncDateTime: 'yesterday' }).ok).toBe(false);
  expect(readDeviceState({ ...state, deviceName: 5 }).ok).toBe(false);
});

it("DateTime: a bad value served is Graph's (UPSTREAM_ERROR); a bad value given is the caller's (BAD_USER_INPUT)", () => {
  const codeOf = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      return error instanceof GraphQLError ? error.extensions.code : 'not a GraphQLError';
    }
    return 'no error';
  };
  expect(codeOf(() => DateTime.serialize('not a date'))).toBe('UPSTREAM_ERROR');
  expect(codeOf(() => DateTime.parseValue('not a date'))).toBe('BAD_USER_INPUT');
  expect(DateTime.serialize('2026-03-01T09:30:00Z')).toBe('2026-03-01T09:30:00Z');
});
