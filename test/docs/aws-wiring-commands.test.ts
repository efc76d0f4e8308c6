/**
 * The commands of docs/aws-wiring.md and docs/operations-options.md that this change's AWS facts ask for, run as
 * written for dev against stand-ins: each names an address and an AWS name dev's checked-in synth really has.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { CHECKED_IN_OUTDIR, PROJECT_ROOT } from "../../tools/synthesize";
import { documentedBlock, runWithStandIns } from "../support/documented-commands";

const devStack = JSON.parse(readFileSync(path.join(CHECKED_IN_OUTDIR, "stacks", "jitsi-matrix-dev", "cdk.tf.json"), "utf8"));
const resource = (address: string) => {
  const [type, name] = address.split(".");
  return devStack.resource[type]?.[name];
};

describe("docs/aws-wiring.md: importing the log groups AWS created itself", () => {
  it("imports each declared group under its address, by the name the stack gives it, in the stack's directory", () => {
    const result = runWithStandIns(documentedBlock("import-aws-created-log-groups"), { cwd: PROJECT_ROOT, programs: ["terraform"], placeholders: { "<env>": "dev" } });
    expect(result.status).toBe(0);
    const imports = result.calls.filter((call) => call.args.startsWith("import "));
    expect(result.calls.every((call) => call.cwd === "jitsi-matrix-dev")).toBe(true);
    expect(imports).toHaveLength(2);
    for (const call of imports) {
      const [, address, name] = call.args.split(" ");
      expect(resource(address)).toMatchObject({ name });
    }
  });
});

describe("docs/operations-options.md: the test alarm", () => {
  it("sets an alarm dev really has to ALARM", () => {
    const result = runWithStandIns(documentedBlock("alarm-test-mail"), { cwd: PROJECT_ROOT, programs: ["aws"], placeholders: { "<env>": "dev" } });
    expect(result.status).toBe(0);
    const [call] = result.calls;
    const name = /--alarm-name (\S+)/.exec(call.args)![1];
    expect(Object.values(devStack.resource.aws_cloudwatch_metric_alarm).map((alarm) => (alarm as { alarm_name: string }).alarm_name)).toContain(name);
    expect(call.args).toContain("--state-value ALARM");
  });
});
