import { EfsBackup, EfsBackupProps } from "../../src/modules/efs-backup";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

const props: EfsBackupProps = { name: "jm-staging", fileSystemId: "fs-bce67e88", region: "eu-west-1" };
const synth = (p: EfsBackupProps) => synthConstructs((scope) => new EfsBackup(scope, "backup", p)).json;

describe("EfsBackup", () => {
  const json = synth(props);

  it("keeps daily recovery points for 7 days in its own vault by default, starting 03:00 UTC", () => {
    expect(resourcesOf(json, "aws_backup_vault").backup).toMatchObject({ name: "jm-staging" });
    expect(onlyResource(json, "aws_backup_vault")).not.toHaveProperty("kms_key_arn");
    expect(resourcesOf(json, "aws_backup_plan").backup_plan).toMatchObject({
      name: "jm-staging",
      rule: [
        {
          rule_name: "daily",
          target_vault_name: "${aws_backup_vault.backup.name}",
          schedule: "cron(0 3 * * ? *)",
          lifecycle: { delete_after: 7 },
        },
      ],
    });
  });

  it("takes the retention, schedule, role name and vault key it is given", () => {
    const custom = synth({ ...props, retentionDays: 35, schedule: "cron(30 1 * * ? *)", roleName: "my-backup-role", kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k" });
    expect(onlyResource(custom, "aws_backup_plan").rule).toEqual([
      expect.objectContaining({ schedule: "cron(30 1 * * ? *)", lifecycle: { delete_after: 35 } }),
    ]);
    expect(onlyResource(custom, "aws_iam_role").name).toBe("my-backup-role");
    expect(onlyResource(custom, "aws_backup_vault").kms_key_arn).toBe("arn:aws:kms:eu-west-1:1:key/k");
  });

  it("has a role that only AWS Backup assumes, allowed to back up and to restore", () => {
    const role = resourcesOf(json, "aws_iam_role").backup_role;
    expect(role.name).toBe("jm-staging-backup");
    expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([
      { Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: "backup.amazonaws.com" } },
    ]);
    expect(Object.values(resourcesOf(json, "aws_iam_role_policy_attachment")).map((a) => [a.role, a.policy_arn])).toEqual([
      ["${aws_iam_role.backup_role.name}", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"],
      ["${aws_iam_role.backup_role.name}", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"],
    ]);
  });

  it("selects the file system by an ARN whose account comes from the role's ARN, so nothing is looked up at plan time", () => {
    expect(json.data).toBeUndefined();
    expect(onlyResource(json, "aws_backup_selection")).toMatchObject({
      name: "jm-staging-efs",
      plan_id: "${aws_backup_plan.backup_plan.id}",
      iam_role_arn: "${aws_iam_role.backup_role.arn}",
      resources: [
        'arn:${element(split(":", aws_iam_role.backup_role.arn), 1)}:elasticfilesystem:eu-west-1:' +
          '${element(split(":", aws_iam_role.backup_role.arn), 4)}:file-system/fs-bce67e88',
      ],
    });
  });

  it("writes the ARN literally when the account is known, in the region's partition", () => {
    expect(onlyResource(synth({ ...props, accountId: "123456789012" }), "aws_backup_selection").resources).toEqual([
      "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-bce67e88",
    ]);
    expect(onlyResource(synth({ ...props, region: "cn-north-1", accountId: "123456789012" }), "aws_backup_selection").resources).toEqual([
      "arn:aws-cn:elasticfilesystem:cn-north-1:123456789012:file-system/fs-bce67e88",
    ]);
  });

  it.each<[string, Partial<EfsBackupProps>, string | RegExp]>([
    ["a retention of 0 days", { retentionDays: 0 }, "retentionDays: 0 is not a number of days; use a whole number of at least 1."],
    ["a file system ID that is not one", { fileSystemId: "bce67e88" }, 'fileSystemId: "bce67e88" is not an EFS file system ID; use the fs-… ID.'],
    ["an account ID that is not 12 digits", { accountId: "12345" }, /^accountId: "12345" is not an AWS account ID/],
    ["a name with a space", { name: "jm staging" }, /^name: "jm staging" is not a usable backup name/],
    ["a name too long for the selection", { name: "x".repeat(47) }, /^name: "x{47}" is not a usable backup name; use 2 to 46/],
    ["a schedule that is not a cron or rate expression", { schedule: "0 3 * * *" }, /^schedule: "0 3 \* \* \*" is not an AWS Backup schedule/],
  ])("fails on %s, naming the field", (_, override, message) => {
    expect(() => synth({ ...props, ...override })).toThrow(message);
  });
});
