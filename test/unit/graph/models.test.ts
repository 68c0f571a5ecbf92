/** The wire readers: Graph's JSON against the CSDL, item by item. */
import { expect } from '@jest/globals';
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

/** The definition isIsoDateTime implements, as a regular expression with the range checks after it. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;
function byDefinition(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (m === null) return false;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const days = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (month < 1 || month > 12 || day < 1 || day > days[month - 1] || hour >= 24 || minute >= 60) return false;
  if (m[6] !== undefined && Number(m[6]) >= 60) return false;
  return m[7] === undefined || (Number(m[7]) < 24 && Number(m[8]) < 60);
}

it('isIsoDateTime agrees with the definition on every one-character change, deletion and insertion of Graph-like values', () => {
  const seeds = ['2026-03-01T09:30:00Z', '2024-02-29T23:59:59.1234567+05:30', '1900-02-28T00:00Z', '2000-02-29T12:00:00.5-12:00', '2026-12-31T09:30:45.123Z'];
  const alphabet = '0123456789-:T.Z+ z/';
  const values = new Set<string>();
  for (const seed of seeds) {
    values.add(seed);
    for (let i = 0; i <= seed.length; i++) {
      values.add(seed.slice(0, i) + seed.slice(i + 1));
      for (const c of alphabet) {
        values.add(seed.slice(0, i) + c + seed.slice(i + 1));
        values.add(seed.slice(0, i) + c + seed.slice(i));
      }
    }
  }
  // Every month and day 00–32 of a leap and a common year, every hour, minute and zone offset at its edges.
  for (const year of ['2023', '2024', '1900', '2000', '0000']) {
    for (let month = 0; month <= 13; month++) {
      for (let day = 0; day <= 32; day++) values.add(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T00:00:00Z`);
    }
  }
  for (const hm of ['23:59', '24:00', '00:60', '99:99']) values.add(`2026-01-01T${hm}:00Z`).add(`2026-01-01T00:00:00+${hm}`).add(`2026-01-01T00:00:00-${hm}`);
  const disagreements = [...values].filter((value) => isIsoDateTime(value) !== byDefinition(value));
  expect(disagreements).toEqual([]);
  // Both kinds are among them (not a test of one answer).
  expect([...values].filter(byDefinition).length).toBeGreaterThan(500);
  expect([...values].filter((value) => !byDefinition(value)).length).toBeGreaterThan(2000);
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
