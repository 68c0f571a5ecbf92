/** @type {import('jest').Config} Two projects: the subgraph's tests (test/) and the Graph emulator's (packages/graph-emulator). */
module.exports = {
  // A global option: Jest ignores it inside a project.
  testTimeout: 30000,
  projects: [
    {
      displayName: 'subgraph',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
      // The emulator from its sources, as tsconfig.json's `paths` has it (the built package is for processes).
      moduleNameMapper: { '^@esim-pools/graph-emulator$': '<rootDir>/packages/graph-emulator/src/index.ts' },
    },
    '<rootDir>/packages/graph-emulator',
  ],
};
