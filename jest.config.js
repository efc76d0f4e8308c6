/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    // Transpile only (tsconfig's isolatedModules): `npm test` type-checks the whole project with tsc first, once.
    "^.+\\.ts$": ["ts-jest", {}],
  },
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  // The suites that run Terraform start first, side by side on the two workers.
  testSequencer: "<rootDir>/test/support/terraform-first-sequencer.js",
  reporters: ["default", "<rootDir>/test/support/closing-line-reporter.js"],
  // Terraform-backed tests init, validate and plan real stacks.
  testTimeout: 240000,
  // Two cores: Terraform itself runs in parallel inside each plan.
  maxWorkers: 2,
};
