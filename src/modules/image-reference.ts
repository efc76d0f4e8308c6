/**
 * Image references of the containers. A tag may carry the digest of the image it named when it was
 * pinned (`latest@sha256:<64 hex>`): the container then runs exactly that image, and the tag stays in
 * the environment file only to say what it was. The reference is `<repository>@sha256:...`, without the
 * tag, since a tag beside a digest means nothing to Docker and is not a form ECS documents.
 */

/** `sha256:` and 64 hexadecimal digits: what `docker inspect` and ECS's `imageDigest` show. */
export const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The digest a tag is pinned to, or undefined. */
export function pinnedDigest(tag: string): string | undefined {
  const at = tag.indexOf("@");
  return at < 0 ? undefined : tag.slice(at + 1);
}

/** The tag without its digest. */
export function tagName(tag: string): string {
  const at = tag.indexOf("@");
  return at < 0 ? tag : tag.slice(0, at);
}

/** The reference a container definition names: `<repository>:<tag>`, or `<repository>@<digest>` when the tag is pinned. */
export function imageReference(repository: string, tag: string): string {
  const digest = pinnedDigest(tag);
  return digest === undefined ? `${repository}:${tag}` : `${repository}@${digest}`;
}
