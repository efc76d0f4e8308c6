import { Testing } from "cdktf";

Testing.setupJest();

// Offline plans with equal inputs are planned once per machine (tools/terraform/plan-cache.ts); the
// tests' states and secrets are fakes, so their plans may stay on disk. Jest gives each test file its own copy
// of process.env: a child process gets the setting only where the test passes `env: process.env`.
process.env.TERRAFORM_PLAN_CACHE ??= "on";
// Terraform starts the mirror's provider build without checking it against the lock file at every command
// (tools/terraform/cli-config.ts); each init still installs it from the mirror with its checksums.
process.env.TERRAFORM_DEV_OVERRIDES ??= "on";
