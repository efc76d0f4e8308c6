/**
 * The order jest starts the test files in: those that run Terraform first, so that on two workers the long suites
 * run side by side from the start and the quick ones fill in around them, instead of one long suite starting last
 * and running alone. Within each group, jest's own order: the durations of the last run where jest has them (its
 * cache), else the larger file first.
 */
const { readFileSync } = require("fs");
const Sequencer = require("@jest/test-sequencer").default;

/** A test file that plans or applies with real Terraform: minutes, where the others take seconds. */
const RUNS_TERRAFORM = /\b(describeIfTerraform|TerraformWorkdir|validatedPlan|StackPlanner|runTerraform)\b/;

class TerraformFirstSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const runsTerraform = (test) => RUNS_TERRAFORM.test(readFileSync(test.path, "utf8"));
    return [...ordered.filter(runsTerraform), ...ordered.filter((test) => !runsTerraform(test))];
  }
}

module.exports = TerraformFirstSequencer;
