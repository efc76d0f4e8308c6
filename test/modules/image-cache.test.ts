import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { cachedImage, ImageCache } from "../../src/modules/image-cache";
import { imageRepository } from "../../tools/baseline/checks";
import { onlyResource, synthConstructs } from "../support/synth";

const REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

describe("ImageCache", () => {
  it("names Docker Hub images in the cache, official ones under library/, digests kept, other registries' left alone", () => {
    expect(cachedImage("postgres:17.7", REGISTRY, "docker-hub-dev")).toBe(`${REGISTRY}/docker-hub-dev/library/postgres:17.7`);
    expect(cachedImage("matrixdotorg/synapse:v1.53.0", REGISTRY, "docker-hub-dev")).toBe(`${REGISTRY}/docker-hub-dev/matrixdotorg/synapse:v1.53.0`);
    const digest = `sha256:${"a".repeat(64)}`;
    expect(cachedImage(`redis@${digest}`, REGISTRY, "docker-hub-dev")).toBe(`${REGISTRY}/docker-hub-dev/library/redis@${digest}`);
    expect(cachedImage("public.ecr.aws/x/y:1", REGISTRY, "docker-hub-dev")).toBe("public.ecr.aws/x/y:1");
    // Applied twice, it changes nothing more.
    expect(cachedImage(cachedImage("postgres:17.7", REGISTRY, "p"), REGISTRY, "p")).toBe(`${REGISTRY}/p/library/postgres:17.7`);
    // The baseline still knows the image behind the cache (read-only-root-filesystems reads it).
    expect(imageRepository(`${REGISTRY}/docker-hub-dev/library/postgres:17.7`)).toBe("postgres");
  });

  const { json } = synthConstructs((scope) => {
    new EcsTaskDefinition(scope, "task", {
      family: "t",
      containerDefinitions: JSON.stringify([{ name: "postgres", image: "postgres:17.7" }, { name: "jvb", image: "jitsi/jvb:stable-6865" }]),
    });
    new ImageCache(scope, "image_cache", {
      prefix: "docker-hub-dev",
      registry: REGISTRY,
      credentialSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf",
      keepImages: 10,
      untaggedDays: 7,
    });
  });

  it("pulls from Docker Hub with the account's credentials, into repositories with a lifecycle", () => {
    expect(onlyResource(json, "aws_ecr_pull_through_cache_rule")).toMatchObject({ ecr_repository_prefix: "docker-hub-dev", upstream_registry_url: "registry-1.docker.io" });
    const template = onlyResource(json, "aws_ecr_repository_creation_template");
    expect(template).toMatchObject({ prefix: "docker-hub-dev", applied_for: ["PULL_THROUGH_CACHE"] });
    const rules = (JSON.parse(template.lifecycle_policy as string) as { rules: { selection: Record<string, unknown> }[] }).rules;
    expect(rules.map((rule) => rule.selection)).toEqual([
      { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
      { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 },
    ]);
  });

  it("rewrites every task definition of its scope to the cache", () => {
    const containers = JSON.parse(onlyResource(json, "aws_ecs_task_definition").container_definitions as string) as { image: string }[];
    expect(containers.map((c) => c.image)).toEqual([`${REGISTRY}/docker-hub-dev/library/postgres:17.7`, `${REGISTRY}/docker-hub-dev/jitsi/jvb:stable-6865`]);
  });
});
