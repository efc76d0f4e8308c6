/** The user data that makes an ECS-optimized AMI join a cluster, byte for byte as the legacy module wrote it. */
export function ecsUserData(clusterName: string): string {
  return `#!/bin/bash\necho ECS_CLUSTER=${clusterName} >> /etc/ecs/ecs.config`;
}
