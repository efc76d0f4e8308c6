import { EcrPullThroughCacheRule } from "@cdktf/provider-aws/lib/ecr-pull-through-cache-rule";
import { EcrRepositoryCreationTemplate } from "@cdktf/provider-aws/lib/ecr-repository-creation-template";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Aspects, IAspect } from "cdktf";
import { Construct, IConstruct } from "constructs";

/** Docker Hub's registry, the upstream of the cache. */
const DOCKER_HUB = "registry-1.docker.io";

export const IMAGE_CACHE_DEFAULTS = {
  /** Images of a cached repository kept, newest first; older ones are pulled through again if needed. */
  keepImages: 10,
  /** Days an untagged image (a tag's previous image) is kept. */
  untaggedDays: 7,
} as const;

/** The reference a Docker Hub image has in the cache: official images (no namespace) live under `library/`. */
export function cachedImage(image: string, registry: string, prefix: string): string {
  if (image.startsWith(`${registry}/`)) return image;
  const name = image.split(/[@:]/)[0];
  const first = name.split("/")[0];
  // Another registry's image (a host with a dot or a port) is not Docker Hub's: it stays as it is.
  if (name.includes("/") && /[.:]/.test(first)) return image;
  return `${registry}/${prefix}/${name.includes("/") ? "" : "library/"}${image}`;
}

export interface ImageCacheProps {
  /** The repositories' prefix in ECR, unique in the account and region. */
  readonly prefix: string;
  /** The registry's host, `<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly registry: string;
  /** Secrets Manager secret (`ecr-pullthroughcache/...`) with the Docker Hub user and access token. */
  readonly credentialSecretArn: string;
  readonly keepImages: number;
  readonly untaggedDays: number;
}

/**
 * An ECR pull-through cache for the Docker Hub images: ECR pulls each image once from Docker Hub with the account's
 * credentials (authenticated, so not rate-limited as anonymous pulls from many instances are) and serves it from
 * the region after. The repositories it creates on first pull follow a template: tags mutable as upstream's,
 * encrypted, scanned on push by ECR's basic scanning of the registry, and a lifecycle that keeps the newest images.
 * Every task definition of the scope names its images in the cache (`CachedImages`, an aspect).
 */
export class ImageCache extends Construct {
  constructor(scope: Construct, id: string, props: ImageCacheProps) {
    super(scope, id);
    new EcrPullThroughCacheRule(this, "rule", {
      ecrRepositoryPrefix: props.prefix,
      upstreamRegistryUrl: DOCKER_HUB,
      credentialArn: props.credentialSecretArn,
    });
    new EcrRepositoryCreationTemplate(this, "template", {
      prefix: props.prefix,
      appliedFor: ["PULL_THROUGH_CACHE"],
      description: "Docker Hub images of the jitsi-matrix platform",
      imageTagMutability: "MUTABLE",
      // KMS would need a role of ECR's own for the template; AES256 is ECR's default encryption.
      encryptionConfiguration: [{ encryptionType: "AES256" }],
      lifecyclePolicy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `untagged images after ${props.untaggedDays} days`,
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: props.untaggedDays },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            description: `the newest ${props.keepImages} images`,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: props.keepImages },
            action: { type: "expire" },
          },
        ],
      }),
    });
    Aspects.of(scope).add(new CachedImages(props.registry, props.prefix));
  }
}

/** Rewrites the Docker Hub images of every task definition to their references in the cache. */
export class CachedImages implements IAspect {
  constructor(
    private readonly registry: string,
    private readonly prefix: string,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof EcsTaskDefinition)) return;
    const input = node.containerDefinitionsInput;
    if (input === undefined) return;
    const containers = JSON.parse(input) as { image: string }[];
    node.containerDefinitions = JSON.stringify(containers.map((container) => ({ ...container, image: cachedImage(container.image, this.registry, this.prefix) })));
  }
}
