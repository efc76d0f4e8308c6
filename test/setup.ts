import { Testing } from "cdktf";

Testing.setupJest();

// Offline plans with equal inputs are planned once per machine (tools/terraform/plan-cache.ts); the
// tests' states and secrets are fakes, so their plans may stay on disk. Jest gives each test file its own copy
// of process.env: a child process gets the setting only where the test passes `env: process.env`.
process.env.TERRAFORM_PLAN_CACHE ??= "on";
