/** The image tag fields of an environment, where the waivers, the adoption and the running-images report read them. */
import { isFloatingImageTag } from "../baseline-rules";

/** The field of each container's tag, by ECS service role: the matrix task's four containers name their own; the jitsi images share one. */
export const MATRIX_IMAGE_CONTAINERS = ["synapse", "element", "postgres", "redis"] as const;

interface ImageFields {
  readonly jitsi: { readonly imageTag: string };
  readonly matrix: { readonly imageTags: Readonly<Record<(typeof MATRIX_IMAGE_CONTAINERS)[number], string>> };
  readonly postgresUpgrade: { readonly imageTag: string };
}

/** Every image tag field, by its path in the environment, with a reader (the field may have failed its schema). */
export const IMAGE_TAG_FIELDS: readonly { readonly path: string; readonly tag: (env: ImageFields) => string }[] = [
  { path: "jitsi.imageTag", tag: (env) => env.jitsi.imageTag },
  ...MATRIX_IMAGE_CONTAINERS.map((name) => ({ path: `matrix.imageTags.${name}`, tag: (env: ImageFields) => env.matrix.imageTags[name] })),
  { path: "postgresUpgrade.imageTag", tag: (env) => env.postgresUpgrade.imageTag },
];

/** The fields whose tag floats (`latest`, no digest): what a restart would replace by whatever was pushed last. */
export function floatingImageFields(env: ImageFields): string[] {
  return IMAGE_TAG_FIELDS.filter((field) => isFloatingImageTag(field.tag(env))).map((field) => field.path);
}
