import { AccessLogBucket, AccessLogBucketProps } from "../../src/modules/access-log-bucket";
import { onlyResource, synthConstructs } from "../support/synth";

describe("AccessLogBucket", () => {
  const build = (props: Partial<AccessLogBucketProps> = {}) =>
    synthConstructs(
      (scope) => new AccessLogBucket(scope, "access_logs", { bucketName: "jm-dev-logs", region: "eu-west-1", deliveries: [{ from: "loadBalancer", prefix: "load-balancer" }], ...props }),
    ).json;

  it("is private, SSE-S3 (the only encryption ALB access logs support), and expires each log after 90 days", () => {
    const json = build();
    expect(onlyResource(json, "aws_s3_bucket_public_access_block")).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(onlyResource(json, "aws_s3_bucket_ownership_controls")).toMatchObject({ rule: { object_ownership: "BucketOwnerEnforced" } });
    expect(onlyResource(json, "aws_s3_bucket_server_side_encryption_configuration")).toMatchObject({ rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }] });
    expect(onlyResource(json, "aws_s3_bucket_lifecycle_configuration")).toMatchObject({ rule: [{ status: "Enabled", expiration: [{ days: 90 }] }] });
  });

  it("lets only the region's ELB account write under the load balancer's prefix, and nobody in over plain HTTP", () => {
    const json = build();
    const policy = JSON.parse(onlyResource(json, "aws_s3_bucket_policy").policy as string);
    expect(policy.Statement.map((statement: { Sid: string }) => statement.Sid)).toEqual(["DenyInsecureTransport", "LoadBalancerLogs1"]);
    expect(policy.Statement[1]).toEqual({
      Sid: "LoadBalancerLogs1",
      Effect: "Allow",
      Principal: { AWS: "${data.aws_elb_service_account.access_logs_elb_account_load-balancer.arn}" },
      Action: "s3:PutObject",
      Resource: "${aws_s3_bucket.access_logs.arn}/load-balancer/*",
    });
    expect(onlyResource(json, "aws_s3_bucket_policy").depends_on).toEqual(["aws_s3_bucket_public_access_block.access_logs_public_access_block"]);
  });

  it("refuses a bucket name S3 does not accept, a retention that is no number of days, and no delivery, naming the prop", () => {
    expect(() => build({ bucketName: "Logs_Bucket" })).toThrow('bucketName: "Logs_Bucket" is not a valid S3 bucket name');
    expect(() => build({ retentionDays: 0 })).toThrow("retentionDays: 0 is not a whole number of days");
    expect(() => build({ deliveries: [] })).toThrow("deliveries: [] is empty");
  });
});
