import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App } from "cdktf";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ExternalFactChecks } from "../../src/modules/external-fact-checks";
import { AddressedStack } from "../../src/stacks/addressed-stack";
import { synthConstructs } from "../support/synth";
import { describeIfTerraform, validatedPlan } from "../support/terraform";

const props = {
  fileSystemId: "fs-0123456789abcdef0",
  certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000001",
  certificateDomain: "*.example.org",
};

type Check = { data: Record<string, Record<string, Record<string, unknown>>>; assert: { condition: string; error_message: string }[] };

describe("ExternalFactChecks", () => {
  const { json } = synthConstructs((scope) => new ExternalFactChecks(scope, "platform", props));
  const checks = (json as unknown as { check: Record<string, Check> }).check;

  it("checks that the existing file system is encrypted at rest", () => {
    const efs = checks.platform_efs_encrypted;
    expect(efs.data.aws_efs_file_system.platform_file_system).toEqual({ file_system_id: "fs-0123456789abcdef0" });
    expect(efs.assert[0].condition).toBe("${data.aws_efs_file_system.platform_file_system.encrypted}");
    expect(efs.assert[0].error_message).toMatch(/fs-0123456789abcdef0 is not encrypted at rest.*cannot be turned on later/);
  });

  it("checks that the newest issued certificate for the domain is the listener's", () => {
    const certificate = checks.platform_certificate_issued;
    expect(certificate.data.aws_acm_certificate.platform_certificate).toEqual({ domain: "*.example.org", statuses: ["ISSUED"], most_recent: true });
    expect(certificate.assert[0].condition).toBe(`\${data.aws_acm_certificate.platform_certificate.arn == "${props.certificateArn}"}`);
  });
});

describeIfTerraform("ExternalFactChecks, planned by Terraform offline", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), "fact-checks-"));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("validates and plans: with no AWS to read, each check reports a failure the plan carries as a warning, and the plan succeeds", async () => {
    const app = new App({ outdir });
    const stack = new AddressedStack(app, "facts");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    new ExternalFactChecks(stack, "platform", props);
    app.synth();
    const plan = (await validatedPlan(path.join(outdir, "stacks", "facts", "cdk.tf.json"))) as { checks?: { address: { name: string }; status: string }[] };
    expect((plan.checks ?? []).map((check) => [check.address.name, check.status]).sort()).toEqual([
      ["platform_certificate_issued", "fail"],
      ["platform_efs_encrypted", "fail"],
    ]);
  });
});
