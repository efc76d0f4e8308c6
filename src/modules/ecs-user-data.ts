/** The instance metadata service; containers must not reach it (its answers include the instance role's credentials). */
export const INSTANCE_METADATA_ADDRESS = "169.254.169.254";

/** The systemd unit that holds the host rule across reboots, ordered before Docker so no container starts unguarded. */
export const BLOCK_CONTAINER_METADATA_UNIT = "block-container-imds.service";

/**
 * The host rule ECS documents for bridge-mode tasks ("Task IAM role", additional configuration for
 * EC2 instances): drop what containers send to the metadata service, in Docker's `DOCKER-USER`
 * chain, which Docker evaluates before its own rules and never flushes. The ECS agent runs in the
 * host's network and keeps its access; tasks get their own role's credentials from the agent
 * (169.254.170.2), which the rule leaves alone. Idempotent: it adds the rule only once.
 */
export const BLOCK_CONTAINER_METADATA_RULE =
  `iptables -N DOCKER-USER 2>/dev/null; iptables -C DOCKER-USER -i docker+ -d ${INSTANCE_METADATA_ADDRESS}/32 -j DROP 2>/dev/null ` +
  `|| iptables -I DOCKER-USER 1 -i docker+ -d ${INSTANCE_METADATA_ADDRESS}/32 -j DROP`;

export interface EcsUserDataOptions {
  /**
   * Add the host rule that drops container traffic to the metadata service (`BLOCK_CONTAINER_METADATA_RULE`),
   * as a systemd unit that runs on every boot before Docker.
   * @default false - the legacy launch configuration's user data, byte for byte
   */
  readonly blockContainerMetadata?: boolean;
}

/** The user data that makes an ECS-optimized AMI join a cluster; without options, byte for byte as the legacy module wrote it. */
export function ecsUserData(clusterName: string, options: EcsUserDataOptions = {}): string {
  const join = `#!/bin/bash\necho ECS_CLUSTER=${clusterName} >> /etc/ecs/ecs.config`;
  if (!options.blockContainerMetadata) return join;
  return [
    join,
    "# Containers must not reach the instance metadata service, and through it the instance role's credentials.",
    `cat > /etc/systemd/system/${BLOCK_CONTAINER_METADATA_UNIT} <<'UNIT'`,
    "[Unit]",
    "Description=Drop container traffic to the instance metadata service",
    "Before=docker.service",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    `ExecStart=/bin/sh -c '${BLOCK_CONTAINER_METADATA_RULE}'`,
    "[Install]",
    "WantedBy=multi-user.target",
    "UNIT",
    "systemctl daemon-reload",
    `systemctl enable --now ${BLOCK_CONTAINER_METADATA_UNIT}`,
  ].join("\n");
}
