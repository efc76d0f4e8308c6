import { Testing } from "cdktf";

Testing.setupJest();

// Offline plans with equal inputs are planned once per machine (src/terraform-plan-cache.ts); the
// tests' states and secrets are fakes, so their plans may stay on disk. Child processes inherit it.
process.env.TERRAFORM_PLAN_CACHE ??= "on";
