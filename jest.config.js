/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test", "<rootDir>/examples"],
  // The examples import the package by name, as a user's suite does.
  moduleNameMapper: {
    "^mysql-tls-mock$": "<rootDir>/src/index.ts",
    "^mysql-tls-mock/jest$": "<rootDir>/src/testing/jest.ts",
    "^mysql-tls-mock/matchers$": "<rootDir>/src/testing/matchers.ts",
  },
  testMatch: ["**/*.test.ts"],
  setupFiles: ["<rootDir>/test/helpers/jest-setup.ts"],
  // Kills the mariadbd and serve processes a failed test left running, so jest always exits.
  globalSetup: "<rootDir>/test/global-setup.ts",
  globalTeardown: "<rootDir>/test/global-teardown.ts",
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  // Real TLS handshakes and real client processes: give each test room, never rely on timing.
  testTimeout: 30000,
};
