/** @type {import('jest').Config} The emulator's own tests: `npm test -w @esim-pools/graph-emulator`, and a project of the root `npm test`. */
module.exports = {
  displayName: 'graph-emulator',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testTimeout: 30000,
};
