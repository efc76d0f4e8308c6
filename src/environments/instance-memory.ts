/**
 * Memory of the EC2 instance types whose size follows from their name, to
 * tell whether a task fits on one container instance. A rule per family
 * rather than a list of types, so that a new generation or processor variant
 * (c8g, m7a) needs no change. Types not covered (older generations,
 * network- or storage-optimized variants with odd ratios, metal) are
 * reported by validation, which then needs `capacity.instanceMemoryMiB`.
 */

/** The types `instanceMemoryMiB` knows, in words, for messages. */
export const KNOWN_INSTANCE_TYPES =
  "c, m and r of the fifth generation or later (not c5n) and t3 or later, in sizes medium to 48xlarge (not metal), e.g. c5a.large, m6i.xlarge, t3.medium";

/** GiB of memory per vCPU of the general-purpose, compute and memory families from the fifth generation on. */
const GIB_PER_VCPU: Readonly<Record<string, number>> = { c: 2, m: 4, r: 8 };

/** Burstable types have a fixed memory per size. */
const BURSTABLE_GIB: Readonly<Record<string, number>> = {
  nano: 0.5,
  micro: 1,
  small: 2,
  medium: 4,
  large: 8,
  xlarge: 16,
  "2xlarge": 32,
};

/**
 * Share of an instance's memory that tasks can reserve: the ECS agent
 * registers less than the nominal size (the kernel and the agent keep some).
 */
export const TASK_MEMORY_SHARE = 0.9;

function vcpus(size: string): number | undefined {
  if (size === "medium") return 1;
  if (size === "large") return 2;
  const match = /^(\d*)xlarge$/.exec(size);
  return match ? 4 * (match[1] === "" ? 1 : Number(match[1])) : undefined;
}

/**
 * The processor architecture of an instance type, from its name: Graviton types carry a `g` in their variant (`c6g`,
 * `m7gd`, `t4g`, `c7gn`), which the ECS-optimized AMI of the launch template (x86_64) and the images the
 * environments pin do not run on. EC2 User Guide, "Amazon EC2 instance type naming conventions", read 2026-12-07.
 */
export function instanceArchitecture(instanceType: string): "arm64" | "x86_64" | undefined {
  const match = /^([a-z]+)(\d+)([a-z-]*)\.[a-z0-9]+$/.exec(instanceType);
  if (!match) return undefined;
  return match[3].includes("g") ? "arm64" : "x86_64";
}

/** Nominal memory of an instance type in MiB, or undefined when this table does not know it. */
export function instanceMemoryMiB(instanceType: string): number | undefined {
  const match = /^([a-z]+)(\d+)([a-z]*)\.([a-z0-9]+)$/.exec(instanceType);
  if (!match) return undefined;
  const [, family, generationText, variant, size] = match;
  const generation = Number(generationText);
  if (family === "t" && generation >= 3) {
    const gib = BURSTABLE_GIB[size];
    return gib === undefined ? undefined : gib * 1024;
  }
  const ratio = GIB_PER_VCPU[family];
  // The n (network) variant of c5 has more memory per vCPU than its family.
  if (ratio === undefined || generation < 5 || (family === "c" && generation === 5 && variant.includes("n"))) return undefined;
  const count = vcpus(size);
  return count === undefined ? undefined : count * ratio * 1024;
}

/**
 * Memory in MiB that tasks may use on one instance of the type, or undefined when unknown.
 * `nominalMiB` gives the instance's memory for a type the table does not know.
 */
export function taskMemoryMiB(instanceType: string, nominalMiB?: number): number | undefined {
  const nominal = nominalMiB ?? instanceMemoryMiB(instanceType);
  return nominal === undefined ? undefined : Math.floor(nominal * TASK_MEMORY_SHARE);
}
