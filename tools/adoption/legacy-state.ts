/**
 * Checks a legacy state against the shape the legacy configuration gives an
 * environment and splits it into the states of `networking-<env>` and
 * `jitsi-matrix-<env>`. Pure: reads and writes nothing.
 */
import { randomUUID } from "crypto";
import { Environment } from "../../src/environments/environment";
import { PLATFORM_SECRETS } from "../../src/modules/platform-secrets";
import {
  formatAddress,
  isLegacyMountTargets,
  jitsiMatrixMoves,
  LEGACY_MOUNT_TARGETS,
  legacyMountTargetByCidr,
  LegacyMove,
  networkingMoves,
} from "../../src/stacks/legacy-addresses";
import {
  AWS_PROVIDER,
  cloudId,
  instanceAddress,
  managedInstances,
  resourceAddress,
  StateFile,
  StateInstance,
  StateOutput,
  StateResource,
} from "./state-file";

/** The legacy state does not have the expected shape; `problems` name each resource concerned. */
export class LegacyStateError extends Error {
  constructor(
    readonly where: string,
    readonly problems: readonly string[],
  ) {
    super(`${where} cannot be adopted, ${problems.length} problem(s); nothing was written:\n  - ${problems.join("\n  - ")}`);
    this.name = "LegacyStateError";
  }
}

/** The synthesized JSON of a stack, as far as the adoption reads it. */
export interface SynthesizedStack {
  readonly output?: Record<string, { value: unknown; sensitive?: boolean }>;
  readonly terraform?: {
    readonly backend?: Record<string, Record<string, unknown>>;
    readonly required_providers?: Record<string, unknown>;
  };
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
}

/** Where one legacy instance goes. */
export interface AdoptedInstance {
  /** Its address in the legacy state. */
  readonly legacyAddress: string;
  readonly type: string;
  /** Its `id` attribute. */
  readonly id: string;
  readonly stack: "networking" | "jitsi-matrix";
  /** Its address in the state the adoption writes (a `moved` block takes it on from there in `jitsi-matrix`). */
  readonly writtenAddress: string;
  /** Its address once the stack's `moved` blocks have run. */
  readonly finalAddress: string;
}

export interface AdoptionStates {
  readonly networking: StateFile;
  readonly jitsiMatrix: StateFile;
  /** Every legacy managed instance, in the legacy state's order. */
  readonly instances: readonly AdoptedInstance[];
  /** Whether the legacy state was taken with the PostgreSQL upgrade switch on. */
  readonly postgresUpgrade: boolean;
  /** Things left behind on purpose, e.g. data sources, which Terraform reads again and never needs in state. */
  readonly notes: readonly string[];
}

/**
 * Validates `legacy` for `environment` and builds the two states. Throws a
 * `LegacyStateError` listing every unexpected, missing or unusable resource.
 * `networkingSynth` is the synthesized JSON of `networking-<env>`, whose root
 * outputs the networking state gets, so that its first plan shows no change.
 */
export function splitLegacyState(
  legacy: StateFile,
  environment: Environment,
  networkingSynth: SynthesizedStack,
  where = "the legacy state",
): AdoptionStates {
  const problems: string[] = [];
  const notes: string[] = [];
  const present = new Map<string, { resource: StateResource; instance: StateInstance }>();

  for (const resource of legacy.resources) {
    if (resource.mode === "data") {
      notes.push(`left out data source ${resourceAddress(resource)}: Terraform reads data sources again at every plan.`);
      continue;
    }
    if (resource.provider !== AWS_PROVIDER) {
      problems.push(
        `${resourceAddress(resource)} uses the provider ${resource.provider}; ` +
          `the new stacks use the default ${AWS_PROVIDER}: the state is not from the legacy configuration.`,
      );
    }
    for (const instance of resource.instances) {
      const address = instanceAddress(resource, instance);
      if (instance.status === "tainted" || instance.deposed !== undefined) {
        problems.push(
          `${address} is ${instance.deposed !== undefined ? "a deposed object" : "tainted"}: adopting it would replace it; ` +
            "settle it with the legacy configuration first (terraform untaint, or an apply).",
        );
      }
      present.set(address, { resource, instance });
    }
  }

  const subnetMoves = networkingMoves(environment);
  const allJitsiMatrixMoves = jitsiMatrixMoves(environment);
  const subnetCidrs = new Set(environment.network.subnets.map((subnet) => subnet.cidrBlock));
  const switchPosition = (on: boolean) => allJitsiMatrixMoves.filter((move) => move.postgresUpgrade === on);
  const holds = (moves: LegacyMove[]) => moves.some((move) => present.has(formatAddress(move.from)));

  const upgradeHeld = holds(switchPosition(true));
  const matrixHeld = holds(switchPosition(false));
  if (upgradeHeld && matrixHeld) {
    problems.push(
      `holds both ${switchPosition(false).map((m) => formatAddress(m.from)).join(", ")} and ` +
        `${switchPosition(true).map((m) => formatAddress(m.from)).join(", ")}; the legacy switch postgresql_upgrade declares one pair or the other: ` +
        "settle the legacy state with an apply of the legacy configuration first.",
    );
  }
  const postgresUpgrade = upgradeHeld && !matrixHeld;
  const expectedMoves = [
    ...subnetMoves,
    ...allJitsiMatrixMoves.filter((move) => !isLegacyMountTargets(move.from) && (move.postgresUpgrade === undefined || move.postgresUpgrade === postgresUpgrade)),
  ];
  const expected = new Set(expectedMoves.map((move) => formatAddress(move.from)));
  // Both pairs held is one problem, reported above, not two unexpected resources.
  if (upgradeHeld && matrixHeld) for (const move of switchPosition(true)) expected.add(formatAddress(move.from));

  for (const move of expectedMoves) {
    const address = formatAddress(move.from);
    if (!present.has(address)) {
      const alternative =
        move.postgresUpgrade === false
          ? ` (a state taken with the PostgreSQL upgrade switch on holds ${switchPosition(true).map((m) => formatAddress(m.from)).join(" and ")} instead)`
          : "";
      problems.push(
        `missing resource ${address}${alternative}: the legacy configuration of ${environment.name} declares it; ` +
          `check that the state is ${environment.name}'s and complete (terraform state list), or that src/environments/${environment.name}.ts holds its legacy values.`,
      );
    }
  }

  // The mount targets were counted over subnet IDs: their index says nothing, their subnet says which they are.
  const subnetCidrById = new Map<string, string>();
  for (const move of subnetMoves) {
    const held = present.get(formatAddress(move.from));
    const id = held ? cloudId(held.instance) : undefined;
    if (held && id !== undefined) subnetCidrById.set(id, String(held.instance.index_key));
  }
  const mountTargetCidr = new Map<string, string>();
  const mountTargets = [...present.entries()].filter(([, { resource }]) => isLegacyMountTargets(resource));
  const cidrsSeen = new Map<string, string>();
  for (const [address, { instance }] of mountTargets) {
    const key = instance.index_key;
    const counted = typeof key === "number" && Number.isInteger(key) && key >= 0 && key < subnetCidrs.size;
    if (!counted && !(typeof key === "string" && subnetCidrs.has(key))) {
      problems.push(`unexpected resource ${address}: the legacy configuration counts one mount target per subnet, [0] to [${subnetCidrs.size - 1}].`);
      continue;
    }
    const subnetId = String(instance.attributes.subnet_id);
    const cidr = subnetCidrById.get(subnetId);
    if (cidr === undefined) {
      problems.push(
        `${address} is in subnet ${subnetId}, which is none of the legacy subnets (${[...subnetCidrById.keys()].join(", ") || "none found"}); ` +
          "the state is not consistent: refresh it with the legacy configuration first.",
      );
      continue;
    }
    const other = cidrsSeen.get(cidr);
    if (other !== undefined) {
      problems.push(`${address} and ${other} are both in subnet ${subnetId} (${cidr}); EFS allows one mount target per subnet: the state is damaged.`);
      continue;
    }
    cidrsSeen.set(cidr, address);
    mountTargetCidr.set(address, cidr);
  }
  for (const cidr of subnetCidrs) {
    if (!cidrsSeen.has(cidr) && subnetCidrById.size === subnetCidrs.size) {
      problems.push(
        `missing resource ${LEGACY_MOUNT_TARGETS.module}.${LEGACY_MOUNT_TARGETS.type}.${LEGACY_MOUNT_TARGETS.name}[...] in the subnet ${cidr}: ` +
          "the legacy configuration puts a mount target in each subnet; check that the state is complete.",
      );
    }
  }

  for (const address of present.keys()) {
    if (!expected.has(address) && !mountTargets.some(([held]) => held === address)) {
      problems.push(
        `unexpected resource ${address}: the legacy configuration of ${environment.name} does not declare it, so the new stacks have no place for it; ` +
          "move it out of the state first (terraform state rm, after deciding who manages it), or check that the state is " +
          `${environment.name}'s.`,
      );
    }
  }

  if (problems.length > 0) throw new LegacyStateError(where, problems);

  const movesByFrom = new Map(expectedMoves.map((move) => [formatAddress(move.from), move]));
  const instances: AdoptedInstance[] = [];
  const networkingResources: StateResource[] = [];
  const jitsiMatrixResources: StateResource[] = [];
  for (const resource of legacy.resources) {
    if (resource.mode !== "managed") continue;
    if (resource.module === "module.networking" && resource.type === "aws_subnet") {
      for (const instance of resource.instances) {
        const legacyAddress = instanceAddress(resource, instance);
        const move = movesByFrom.get(legacyAddress)!;
        const { index_key: _key, dependencies: _dependencies, ...rest } = instance;
        networkingResources.push({ mode: "managed", type: move.to.type, name: move.to.name, provider: resource.provider, instances: [rest] });
        instances.push({
          legacyAddress,
          type: resource.type,
          id: cloudId(instance) ?? "",
          stack: "networking",
          writtenAddress: formatAddress(move.to),
          finalAddress: formatAddress(move.to),
        });
      }
      continue;
    }
    const isMountTargets = isLegacyMountTargets(resource);
    const carried: StateResource = isMountTargets
      ? {
          ...resource,
          ...(resource.each !== undefined ? { each: "map" as const } : {}),
          instances: resource.instances.map((instance) => ({ ...instance, index_key: mountTargetCidr.get(instanceAddress(resource, instance))! })),
        }
      : resource.type === "aws_ecs_task_definition"
        ? withoutPasswords(resource, where)
        : resource;
    jitsiMatrixResources.push(carried);
    resource.instances.forEach((instance, i) => {
      const legacyAddress = instanceAddress(resource, instance);
      const writtenAddress = instanceAddress(carried, carried.instances[i]);
      const move = isMountTargets
        ? allJitsiMatrixMoves.find((m) => formatAddress(m.from) === formatAddress(legacyMountTargetByCidr(mountTargetCidr.get(legacyAddress)!)))!
        : movesByFrom.get(legacyAddress)!;
      instances.push({
        legacyAddress,
        type: resource.type,
        id: cloudId(instance) ?? "",
        stack: "jitsi-matrix",
        writtenAddress,
        finalAddress: formatAddress(move.to),
      });
    });
  }

  const base = { version: 4, terraform_version: legacy.terraform_version, serial: 1 };
  const networking: StateFile = {
    ...base,
    lineage: randomUUID(),
    outputs: {},
    resources: networkingResources,
  };
  networking.outputs = rootOutputs(networkingSynth, networking, "networking-" + environment.name);
  // Legacy root outputs are left behind: the stack declares its own, which its first apply records.
  const jitsiMatrix: StateFile = { ...base, lineage: randomUUID(), outputs: {}, resources: jitsiMatrixResources };
  return { networking, jitsiMatrix, instances, postgresUpgrade, notes };
}

/**
 * A copy of a legacy task definition whose container definitions have the
 * platform's passwords blanked: the state object of `jitsi-matrix-<env>` is
 * versioned, so a value pushed there stays readable for as long as the
 * bucket keeps versions, and the adoption plan replaces these task
 * definitions anyway. Blanked rather than removed, so each container keeps
 * the shape AWS recorded. The legacy state itself is not touched: the keep
 * path reads the values from it, and the backup keeps the operator's copy.
 */
export function withoutPasswords(resource: StateResource, where: string): StateResource {
  const secret = new Set<string>(PLATFORM_SECRETS);
  return {
    ...resource,
    instances: resource.instances.map((instance) => {
      const address = instanceAddress(resource, instance);
      const text = instance.attributes.container_definitions;
      if (typeof text !== "string") return instance;
      let containers: { environment?: { name?: string; value?: string }[] }[];
      try {
        containers = JSON.parse(text);
      } catch (error) {
        throw new LegacyStateError(where, [
          `${address}: container_definitions is not JSON (${(error as Error).message}); the state is damaged: refresh it with the legacy configuration first.`,
        ]);
      }
      const blanked = containers.map((container) => ({
        ...container,
        ...(container.environment
          ? { environment: container.environment.map((v) => (v.name !== undefined && secret.has(v.name) ? { ...v, value: "" } : v)) }
          : {}),
      }));
      return { ...instance, attributes: { ...instance.attributes, container_definitions: JSON.stringify(blanked) } };
    }),
  };
}

const ATTRIBUTE_REFERENCE = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/;

/**
 * The root outputs a stack's first apply would record, computed from the
 * synthesized output expressions over `state`. Only plain attribute
 * references (`${aws_subnet.x.id}`) and lists of them are understood, which
 * is all `networking-<env>` declares; anything else is refused by name.
 */
export function rootOutputs(synth: SynthesizedStack, state: StateFile, stack: string): Record<string, StateOutput> {
  const attributes = new Map(
    managedInstances(state).map(({ resource, instance }) => [`${resource.type}.${resource.name}`, instance.attributes] as const),
  );
  const evaluate = (expression: unknown, output: string): { value: unknown; type: unknown } => {
    if (Array.isArray(expression)) {
      const elements = expression.map((element) => evaluate(element, output));
      return { value: elements.map((e) => e.value), type: ["tuple", elements.map((e) => e.type)] };
    }
    const match = typeof expression === "string" ? ATTRIBUTE_REFERENCE.exec(expression) : null;
    if (!match) {
      throw new Error(
        `${stack} output ${output}: ${JSON.stringify(expression)} is not a plain attribute reference such as "\${aws_subnet.x.id}"; ` +
          "the adoption cannot compute it: teach rootOutputs in tools/adoption/legacy-state.ts the new form.",
      );
    }
    const [, type, name, attribute] = match;
    const value = attributes.get(`${type}.${name}`)?.[attribute];
    if (typeof value !== "string") {
      throw new Error(`${stack} output ${output}: ${type}.${name}.${attribute} is not in the adopted state; the stack's resources and the environment disagree.`);
    }
    return { value, type: "string" };
  };
  const outputs: Record<string, StateOutput> = {};
  for (const [name, output] of Object.entries(synth.output ?? {})) {
    const { value, type } = evaluate(output.value, name);
    outputs[name] = { value, type, ...(output.sensitive ? { sensitive: true } : {}) };
  }
  return outputs;
}
