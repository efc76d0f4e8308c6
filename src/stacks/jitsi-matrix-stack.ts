import { Lazy, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { declareLegacyMoves } from "./legacy-moves";
import { environmentAccountId } from "../environments/account";
import { EfsVolumeSpec, Environment } from "../environments/environment";
import { operationsOf } from "../environments/operations";
import { AccessLogBucket } from "../modules/access-log-bucket";
import { AutoscalingCapacity } from "../modules/autoscaling-capacity";
import { DeploymentCircuitBreakers } from "../modules/deployment-circuit-breaker";
import { DnsRecords } from "../modules/dns-records";
import { EcsCluster } from "../modules/ecs-cluster";
import { EcsInstanceRole } from "../modules/ecs-instance-role";
import { EfsVolume } from "../modules/ecs-service";
import { EfsMountTargets } from "../modules/efs-mount-targets";
import { ExternalFactChecks } from "../modules/external-fact-checks";
import { Jitsi, JITSI_VOLUMES, JVB_MEDIA_PORT } from "../modules/jitsi";
import { FixedResponseRuleSpec, LoadBalancer } from "../modules/load-balancer";
import { elementConfigBody, elementConfigPaths } from "../modules/element-config";
import { CONTAINER_DATABASE, Matrix, matrixVolumesOf, POSTGRES_PORT } from "../modules/matrix";
import { partitionOf, PlatformSecret, secretParameterArn, secretParameterName, secretsOf, ssmParameterArn } from "../modules/platform-secrets";
import { PostgresUpgrade } from "../modules/postgres-upgrade";
import { LEGACY_ALLOW_ALL_EGRESS, SecurityGroup, SecurityGroupRule } from "../modules/security-group";
import { synapseSettings } from "../modules/synapse-settings";
import { SYNAPSE_DATABASE_NAME, SYNAPSE_DATABASE_USER, SYNAPSE_LOGIN, SynapseDatabase } from "../modules/synapse-database";
import { DatabaseTools } from "../modules/database-tools";
import { DatabaseBackup } from "../modules/database-backup";
import { ImageCache } from "../modules/image-cache";
import { TaskExecutionRole } from "../modules/task-execution-role";
import { CoturnDaemon } from "../modules/coturn";
import { TurnLoadBalancer } from "../modules/turn-load-balancer";
import { WebAcl } from "../modules/web-acl";
import { operationsNames } from "../environments/defaults";
import { EnvironmentStackProps, EnvironmentStack } from "./environment-stack";
import {
  addAlarms,
  addBackups,
  addCapacityScaling,
  addJvbDaemon,
  addStatefulInstanceProtection,
  addXmppLoadBalancer,
  capacityOptions,
  placeServicesOnCapacityProvider,
  POSTGRES_UPGRADE_LOG_STREAM_PREFIX,
  serviceLogConfiguration,
  serviceLogGroup,
} from "./operations";

const NFS_PORT = 2049;
/** Matrix's federation port; the platform has no listener on it. */
const MATRIX_FEDERATION_PORT = 8448;
const ANYWHERE = ["0.0.0.0/0"];
const HTTPS_PORT = 443;
/** The default Docker bridge's gateway on the ECS-optimized AMI: from a bridge-mode task, its own instance. */
const DOCKER_BRIDGE_GATEWAY = "172.17.0.1";
/** Where in the access log bucket the load balancer writes (`<prefix>/AWSLogs/<account>/elasticloadbalancing/...`). */
const LOAD_BALANCER_LOG_PREFIX = "load-balancer";

export interface JitsiMatrixStackProps extends EnvironmentStackProps {
  /** Subnet IDs keyed by CIDR, from `networking-<env>`. */
  readonly subnetIdsByCidr: Readonly<Record<string, string>>;
  /** Run the postgres-upgrade task instead of the matrix service. */
  readonly postgresUpgrade: boolean;
  /** ARN of the environment's KMS key, from `networking-<env>`; undefined when `encryptionKey` is off. */
  readonly encryptionKeyArn?: string;
}

/** The volumes of `names` from the environment, failing with the field path when one is missing. */
function efsVolumes(
  field: string,
  specs: readonly EfsVolumeSpec[],
  names: readonly string[],
  fileSystemId: string,
): EfsVolume[] {
  const missing = names.filter((name) => !specs.some((spec) => spec.name === name));
  if (missing.length > 0) {
    throw new Error(`${field}: volume(s) ${missing.join(", ")} missing; the containers mount ${names.join(", ")}.`);
  }
  return specs.map((spec) => ({
    name: spec.name,
    fileSystemId,
    rootDirectory: spec.rootDirectory,
    transitEncryption: spec.transitEncryption,
  }));
}

/**
 * What the load balancer answers itself for Matrix: the well-known documents of the server name (delegation to
 * the Synapse host on 443, and the client's base URL), and a refusal of Synapse's admin API from the internet.
 */
function matrixFixedResponses(env: Environment): Record<string, FixedResponseRuleSpec> {
  const { rulePriorities } = env.loadBalancer;
  const synapseHost = env.dns.hosts.synapse;
  const rules: Record<string, FixedResponseRuleSpec> = {};
  if (env.wellKnown.enabled) {
    const serverName = [env.wellKnown.serverName];
    const json = (document: object) => ({ statusCode: 200 as const, contentType: "application/json" as const, body: JSON.stringify(document) });
    rules.well_known_server = { priority: rulePriorities.wellKnownServer, hosts: serverName, paths: ["/.well-known/matrix/server"], ...json({ "m.server": `${synapseHost}:443` }) };
    rules.well_known_client = { priority: rulePriorities.wellKnownClient, hosts: serverName, paths: ["/.well-known/matrix/client"], ...json({ "m.homeserver": { base_url: `https://${synapseHost}` } }) };
  }
  if (env.elementConfig.enabled) {
    rules.element_config = {
      priority: rulePriorities.elementConfig,
      hosts: [env.dns.hosts.element],
      paths: elementConfigPaths(env.dns.hosts.element),
      statusCode: 200,
      contentType: "application/json",
      body: elementConfigBody(env.dns.hosts, env.wellKnown.serverName),
    };
  }
  if (env.synapseAdminBlock.enabled) {
    rules.synapse_admin = {
      priority: rulePriorities.synapseAdmin,
      hosts: [env.dns.hosts.matrix, env.dns.hosts.synapse],
      paths: ["/_synapse/admin", "/_synapse/admin/*"],
      statusCode: 403,
      contentType: "text/plain",
      body: "Synapse's admin API is not served to the internet.",
    };
  }
  return rules;
}

/**
 * Everything of an environment but its subnets and passwords: Jitsi and Matrix on ECS behind
 * one ALB, with the operations options the environment has on (`./operations.ts`).
 */
export class JitsiMatrixStack extends EnvironmentStack {
  constructor(scope: Construct, props: JitsiMatrixStackProps) {
    super(scope, "jitsi-matrix", props);
    const env = props.environment;
    const ops = { ...operationsOf(env), encryptionKeyArn: props.encryptionKeyArn };
    const subnetIds = Object.values(props.subnetIdsByCidr);
    const legacy = env.legacy;
    const vpcId = env.network.vpcId;
    const { webHostPort } = env.jitsi;
    const { synapseHostPort, elementHostPort } = env.matrix;
    const { rulePriorities } = env.loadBalancer;

    const loadBalancerIngress: Record<string, SecurityGroupRule> = {
      "standard http port": { protocol: "tcp", fromPort: 80, cidrBlocks: ANYWHERE },
      "standard https port": { protocol: "tcp", fromPort: 443, cidrBlocks: ANYWHERE },
    };
    if (legacy?.federationPortIngress) {
      loadBalancerIngress["synapse federation port"] = { protocol: "tcp", fromPort: MATRIX_FEDERATION_PORT, cidrBlocks: ANYWHERE };
    }
    if (legacy?.loadBalancerUdpMediaIngress) {
      loadBalancerIngress["jvb udp test"] = { protocol: "udp", fromPort: JVB_MEDIA_PORT, cidrBlocks: ANYWHERE };
    }
    // Egress goes to the platform's subnets by CIDR where a group reference would close a cycle (the other group's ingress refers back).
    const subnetCidrs = env.network.subnets.map((subnet) => subnet.cidrBlock);
    const limitedEgress = (rules: Record<string, SecurityGroupRule>) => (legacy?.allowAllEgress ? LEGACY_ALLOW_ALL_EGRESS : rules);
    const toInstances = (port: number): SecurityGroupRule => ({ protocol: "tcp", fromPort: port, cidrBlocks: subnetCidrs });
    const albSg = new SecurityGroup(this, "alb_sg", {
      vpcId,
      ...env.securityGroups.loadBalancer,
      ingress: loadBalancerIngress,
      egress: limitedEgress({
        "jitsi web on the instances": toInstances(webHostPort),
        "synapse on the instances": toInstances(synapseHostPort),
        "element on the instances": toInstances(elementHostPort),
      }),
      nameTag: legacy?.securityGroupNameTag,
    });

    // Created before the instances' group, which opens prosody's port to it; its own rules refer back to that group.
    let instanceSg: SecurityGroup | undefined;
    const xmpp = addXmppLoadBalancer(this, env, ops, {
      subnetIds,
      instanceSecurityGroupId: Lazy.stringValue({ produce: () => instanceSg!.securityGroupId }),
    });

    // coturn's public address; its attachments name the Auto Scaling group, made after the instances' group.
    let capacityRef: AutoscalingCapacity | undefined;
    // coturn of the environment's own, with the TURN server's host and ports.
    const coturn = env.turn?.coturn.enabled ? { ...env.turn.coturn, host: env.turn.host, port: env.turn.port, tlsPort: env.turn.tlsPort } : undefined;
    const turnLb =
      coturn
        ? new TurnLoadBalancer(this, "turn", {
            name: operationsNames(env.name).turnLoadBalancer,
            targetGroupNames: { turn: operationsNames(env.name).turnLoadBalancer, turns: operationsNames(env.name).turnTlsTargetGroup },
            vpcId,
            subnetIds,
            instanceSecurityGroupId: Lazy.stringValue({ produce: () => instanceSg!.securityGroupId }),
            autoScalingGroupName: Lazy.stringValue({ produce: () => capacityRef!.autoScalingGroupName }),
            port: coturn.port,
            tlsPort: coturn.tlsPort,
            certificateArn: coturn.certificateArn ?? env.loadBalancer.certificateArn,
            deletionProtection: env.loadBalancer.deletionProtection,
          })
        : undefined;

    const fromLoadBalancer = (port: number): SecurityGroupRule => ({
      protocol: "tcp",
      fromPort: port,
      securityGroupIds: [albSg.securityGroupId],
    });
    const instanceIngress: Record<string, SecurityGroupRule> = {
      "jitsi http port": fromLoadBalancer(webHostPort),
      "synapse http port": fromLoadBalancer(synapseHostPort),
      "element http port": fromLoadBalancer(elementHostPort),
      // Media goes straight to the instance: an ALB cannot carry UDP.
      "jvp udp port for video streaming": { protocol: "udp", fromPort: JVB_MEDIA_PORT, cidrBlocks: ANYWHERE },
      ...xmpp?.instanceIngress,
      ...turnLb?.instanceIngress,
      // Relayed media goes straight to the instance whose coturn holds the allocation, as the JVB's does.
      ...(coturn ? { "coturn relay ports": { protocol: "udp" as const, fromPort: coturn.relayPorts.min, toPort: coturn.relayPorts.max, cidrBlocks: ANYWHERE } } : {}),
    };
    if (legacy?.instanceNfsIngressFromLoadBalancer) {
      instanceIngress["efs port"] = fromLoadBalancer(NFS_PORT);
    }
    if (legacy && legacy.sshIngressCidrs.length > 0) {
      instanceIngress["temp. ssh host access"] = { protocol: "tcp", fromPort: 22, cidrBlocks: legacy.sshIngressCidrs };
    }
    instanceSg = new SecurityGroup(this, "instance_sg", {
      vpcId,
      ...env.securityGroups.instances,
      ingress: instanceIngress,
      egress: limitedEgress({
        // AWS APIs (ECS, SSM, CloudWatch, ECR), image registries and Matrix federation through delegation all speak HTTPS.
        "https to aws apis, image registries and matrix servers": { protocol: "tcp", fromPort: HTTPS_PORT, cidrBlocks: ANYWHERE },
        "matrix federation to servers without delegation": { protocol: "tcp", fromPort: MATRIX_FEDERATION_PORT, cidrBlocks: ANYWHERE },
        // ICE checks go to the clients' candidate ports, which can be any; STUN too (UDP 443 by default).
        "jvb media and stun to any udp port": { protocol: "udp", fromPort: 0, toPort: 65535, cidrBlocks: ANYWHERE },
        "nfs to the efs mount targets": { protocol: "tcp", fromPort: NFS_PORT, cidrBlocks: subnetCidrs },
        ...xmpp?.instanceEgress,
        ...(env.rds.enabled ? { "postgresql to the synapse database": { protocol: "tcp" as const, fromPort: POSTGRES_PORT, cidrBlocks: subnetCidrs } } : {}),
        // The relay is a name, its addresses AWS's or the provider's to change: by port, not by address.
        ...(env.smtp ? { "synapse mail to the smtp relay": { protocol: "tcp" as const, fromPort: env.smtp.port, cidrBlocks: ANYWHERE } } : {}),
      }),
      nameTag: legacy?.securityGroupNameTag,
    });

    const database = env.rds.enabled
      ? new SynapseDatabase(this, "synapse_database", {
          identifier: env.rds.identifier,
          vpcId,
          subnetIds,
          clientSecurityGroupId: instanceSg.securityGroupId,
          engineVersion: env.rds.engineVersion,
          instanceClass: env.rds.instanceClass,
          allocatedStorageGiB: env.rds.allocatedStorageGiB,
          maxAllocatedStorageGiB: env.rds.maxAllocatedStorageGiB,
          backupRetentionDays: env.rds.backupRetentionDays,
          multiAz: env.rds.multiAz,
          deletionProtection: env.rds.deletionProtection,
          monitoringRoleName: operationsNames(env.name).databaseMonitoring,
          kmsKeyArn: ops.encryptionKeyArn,
          logRetentionDays: env.logs.retentionDays,
        })
      : undefined;
    // The RDS master user, as the one-off tasks connect: the `password` key of RDS's secret, read at each task's start.
    const databaseConnection = database && {
      host: database.address,
      port: database.port,
      user: SYNAPSE_DATABASE_USER,
      database: SYNAPSE_DATABASE_NAME,
      passwordFrom: `${database.masterSecretArn}:password::`,
    };

    const efsSg = new SecurityGroup(this, "efs_sg", {
      vpcId,
      ...env.securityGroups.efs,
      ingress: { "efs port": { protocol: "tcp", fromPort: NFS_PORT, securityGroupIds: [instanceSg.securityGroupId] } },
      // A mount target only answers; security groups let answers out without a rule.
      egress: limitedEgress({}),
      nameTag: legacy?.securityGroupNameTag,
    });

    new EfsMountTargets(this, "efs_mount_target", {
      fileSystemId: env.efsFileSystemId,
      subnetIdsByCidr: props.subnetIdsByCidr,
      securityGroupIds: [efsSg.securityGroupId],
    });

    const instanceRole = new EcsInstanceRole(this, "ecs_instance_role", {
      roleName: env.iam.instanceRoleName,
      instanceProfileName: env.iam.instanceProfileName,
    });

    const cluster = new EcsCluster(this, "cluster", {
      name: env.cluster.name,
      containerInsights: ops.containerInsights,
      containerInsightsLogs: { kmsKeyArn: ops.encryptionKeyArn },
    });

    const capacity = new AutoscalingCapacity(this, "capacity", {
      clusterName: env.cluster.name,
      autoScalingGroupName: env.capacity.autoScalingGroupName,
      imageId: env.capacity.imageId,
      instanceType: env.capacity.instanceType,
      keyName: env.capacity.keyName,
      instanceProfileName: instanceRole.instanceProfileName,
      securityGroupIds: [instanceSg.securityGroupId],
      subnetIds,
      desiredCapacity: env.capacity.desiredCapacity,
      minSize: env.capacity.minSize,
      maxSize: env.capacity.maxSize,
      healthCheckGracePeriod: env.capacity.healthCheckGracePeriod,
      healthCheckType: env.capacity.healthCheckType,
      requireImdsv2: env.capacity.requireImdsv2,
      // Tagging the legacy group would be an in-place update during adoption, which must be a no-op.
      tags: legacy?.untaggedAutoScalingGroup ? undefined : env.tags,
      ...capacityOptions(env, ops),
    });
    capacityRef = capacity;
    const scaling = addCapacityScaling(this, ops, capacity, cluster.clusterName);

    const accessLogs = env.accessLogs.enabled
      ? new AccessLogBucket(this, "access_logs", {
          bucketName: env.accessLogs.bucketName,
          region: env.region,
          retentionDays: env.accessLogs.retentionDays,
          deliveries: [{ from: "loadBalancer", prefix: LOAD_BALANCER_LOG_PREFIX }],
        })
      : undefined;
    const lb = new LoadBalancer(this, "load_balancer", {
      name: env.loadBalancer.name,
      vpcId,
      subnetIds,
      securityGroupIds: [albSg.securityGroupId],
      internal: env.loadBalancer.internal,
      deletionProtection: env.loadBalancer.deletionProtection,
      dropInvalidHeaderFields: env.loadBalancer.dropInvalidHeaderFields,
      accessLogs: accessLogs && { bucketName: accessLogs.bucketName, prefix: LOAD_BALANCER_LOG_PREFIX, dependsOn: accessLogs.writable },
      certificateArn: env.loadBalancer.certificateArn,
      sslPolicy: env.loadBalancer.sslPolicy,
      targetGroups: {
        jitsi: { name: env.loadBalancer.targetGroupNames.jitsi, port: webHostPort },
        element: { name: env.loadBalancer.targetGroupNames.element, port: elementHostPort },
        synapse: { name: env.loadBalancer.targetGroupNames.synapse, port: synapseHostPort, healthCheckPath: "/health" },
      },
      defaultTargetGroup: "jitsi",
      hostRules: {
        element: { targetGroup: "element", priority: rulePriorities.element, hosts: [env.dns.hosts.element] },
        synapse: { targetGroup: "synapse", priority: rulePriorities.synapse, hosts: [env.dns.hosts.matrix, env.dns.hosts.synapse] },
      },
      fixedResponses: matrixFixedResponses(env),
    });

    if (env.webAcl.enabled) {
      new WebAcl(this, "web_acl", {
        name: operationsNames(env.name).webAcl,
        loadBalancerArn: lb.loadBalancerArn,
        rateLimitPer5Minutes: env.webAcl.rateLimitPer5Minutes,
        logRetentionDays: env.logs.retentionDays,
        logKmsKeyArn: ops.encryptionKeyArn,
      });
    }

    // Parameters by their deterministic names, not by reference: this stack plans without the secrets stack's state.
    const parameter = (secret: PlatformSecret) => secretParameterName(env.name, secret);
    const turn = env.turn ? { ...env.turn, secretParameter: parameter("TURN_SHARED_SECRET") } : undefined;
    const accountId = environmentAccountId(env);
    const executionRole = new TaskExecutionRole(this, "task_execution_role", {
      roleName: env.iam.taskExecutionRoleName,
      // Exact ARNs: the account comes from the environment or, failing that, from its certificate's ARN.
      secretParameterArns: [
        ...secretsOf({ turn: turn !== undefined, rds: database !== undefined }).map((secret) => secretParameterArn(env.name, secret, env.region, accountId)),
        ...(env.smtp?.passwordParameter ? [ssmParameterArn(env.smtp.passwordParameter, env.region, accountId)] : []),
      ],
      secretArns: database ? [database.masterSecretArn] : undefined,
      cacheRepositoryArns: env.imageCache.enabled
        ? `arn:${partitionOf(env.region)}:ecr:${env.region}:${accountId}:repository/${env.imageCache.repositoryPrefix}/*`
        : undefined,
      parameterKey: props.encryptionKeyArn === undefined ? undefined : { keyArn: props.encryptionKeyArn, region: env.region },
    });

    const { jvb: _daemonOwnsThis, ...taskEnvironment } = env.jitsi.environment;
    const jitsiEnvironment = xmpp ? taskEnvironment : env.jitsi.environment;
    new Jitsi(this, "jitsi", {
      clusterArn: cluster.clusterArn,
      serviceName: env.jitsi.serviceName,
      taskFamily: env.jitsi.taskFamily,
      imageTag: env.jitsi.imageTag,
      publicUrl: `https://${env.dns.hosts.jitsi}`,
      volumes: efsVolumes("jitsi.volumes", env.jitsi.volumes, JITSI_VOLUMES, env.efsFileSystemId),
      secretParameters: {
        JICOFO_AUTH_PASSWORD: parameter("JICOFO_AUTH_PASSWORD"),
        JVB_AUTH_PASSWORD: parameter("JVB_AUTH_PASSWORD"),
        JIGASI_XMPP_PASSWORD: parameter("JIGASI_XMPP_PASSWORD"),
        JIBRI_RECORDER_PASSWORD: parameter("JIBRI_RECORDER_PASSWORD"),
        JIBRI_XMPP_PASSWORD: parameter("JIBRI_XMPP_PASSWORD"),
      },
      executionRoleArn: executionRole.roleArn,
      webTargetGroupArn: lb.targetGroupArns.jitsi,
      webHostPort,
      webImagesPath: env.jitsi.webImagesPath,
      jvbAdvertiseAddress: env.jitsi.jvbAdvertiseAddress,
      // With a JVB per instance, the daemon below takes the bridge's settings and prosody's port joins the XMPP load balancer.
      externalJvb: xmpp ? { xmppTargetGroupArn: xmpp.targetGroupArn } : undefined,
      memory: env.jitsi.memory,
      turn,
      environment: jitsiEnvironment,
      logConfiguration: serviceLogConfiguration(this, env, ops, "jitsi", env.jitsi.serviceName),
      dependsOn: [...lb.routing, ...(xmpp?.routing ?? [])],
    });
    const jvb = xmpp
      ? addJvbDaemon(this, env, ops, {
          clusterArn: cluster.clusterArn,
          xmpp,
          jvbAuthPasswordParameter: parameter("JVB_AUTH_PASSWORD"),
          executionRoleArn: executionRole.roleArn,
          logConfiguration: serviceLogConfiguration(this, env, ops, "jvb", ops.jvbPerInstance!.serviceName),
          dependsOn: xmpp.routing,
        })
      : undefined;

    const coturnDaemon =
      coturn && turn
        ? new CoturnDaemon(this, "coturn", {
            clusterArn: cluster.clusterArn,
            serviceName: operationsNames(env.name).coturnService,
            taskFamily: operationsNames(env.name).coturnTaskFamily,
            imageTag: coturn.imageTag,
            realm: coturn.host,
            listeningPort: coturn.port,
            relayPorts: coturn.relayPorts,
            memory: coturn.memory,
            sharedSecretParameter: turn.secretParameter,
            executionRoleArn: executionRole.roleArn,
            logConfiguration: serviceLogConfiguration(this, env, ops, "coturn", operationsNames(env.name).coturnService),
            dependsOn: turnLb!.routing,
          })
        : undefined;

    // Synapse connects as its own login, whose password does not rotate; the one-off tasks as the master user.
    const synapseConnection = databaseConnection && { ...databaseConnection, user: SYNAPSE_LOGIN, passwordFrom: parameter("SYNAPSE_DATABASE_PASSWORD") };
    const matrixVolumes = efsVolumes("matrix.volumes", env.matrix.volumes, matrixVolumesOf(env.elementConfig.enabled), env.efsFileSystemId);
    // The postgres container's data on EFS, which the upgrade task and the RDS runbook's copy read too.
    const postgresData = matrixVolumes.find((volume) => volume.name === "matrix-postres-data")!;
    // The PostgreSQL upgrade switch swaps only the matrix task and service: Matrix's log group, alarm and scale-in protection stay (docs/maintenance.md).
    const matrixLogs = serviceLogGroup(this, env, ops, "matrix", env.matrix.serviceName);
    const upgradeServiceName = env.postgresUpgrade.serviceName;
    const services: Record<string, string> = { jitsi: env.jitsi.serviceName, matrix: env.matrix.serviceName };
    if (props.postgresUpgrade) {
      const upgrade = env.postgresUpgrade;
      new PostgresUpgrade(this, "postgres_upgrade", {
        clusterArn: cluster.clusterArn,
        dataVolume: postgresData,
        postgresPasswordParameter: parameter("POSTGRES_PASSWORD"),
        executionRoleArn: executionRole.roleArn,
        imageTag: upgrade.imageTag,
        taskFamily: upgrade.taskFamily,
        serviceName: upgradeServiceName,
        memory: upgrade.memory,
        readOnlyRootFilesystem: !legacy?.writableRootFilesystems,
        logConfiguration: matrixLogs?.logConfiguration({ streamPrefix: POSTGRES_UPGRADE_LOG_STREAM_PREFIX }),
      });
    } else {
      new Matrix(this, "matrix", {
        clusterArn: cluster.clusterArn,
        serviceName: env.matrix.serviceName,
        taskFamily: env.matrix.taskFamily,
        imageTags: env.matrix.imageTags,
        containerMemory: env.matrix.containerMemory,
        synapseMemory: env.matrix.synapseMemory,
        synapseHostPort,
        elementHostPort,
        volumes: matrixVolumes,
        // On RDS, the matrix task runs no postgres; its data stays on EFS until the operator deletes it.
        postgresPasswordParameter: env.matrix.database === "container" ? parameter("POSTGRES_PASSWORD") : undefined,
        executionRoleArn: executionRole.roleArn,
        synapseTargetGroupArn: lb.targetGroupArns.synapse,
        elementTargetGroupArn: lb.targetGroupArns.element,
        logConfiguration: matrixLogs?.logConfiguration(),
        readOnlyRootFilesystems: !legacy?.writableRootFilesystems,
        elementFromImage: env.elementConfig.enabled,
        synapseSettings: synapseSettings({ database: env.matrix.database === "rds" ? synapseConnection : undefined, turn, smtp: env.smtp }),
        dependsOn: lb.routing,
      });
    }
    if (databaseConnection) {
      new DatabaseTools(this, "database_tools", {
        family: operationsNames(env.name).databaseTools,
        imageTag: env.matrix.imageTags.postgres,
        database: { ...databaseConnection, name: databaseConnection.database },
        synapseLogin: { user: SYNAPSE_LOGIN, passwordFrom: parameter("SYNAPSE_DATABASE_PASSWORD") },
        containerData: { volume: postgresData, ...CONTAINER_DATABASE },
        executionRoleArn: executionRole.roleArn,
        readOnlyRootFilesystem: !legacy?.writableRootFilesystems,
        logConfiguration: matrixLogs?.logConfiguration({ streamPrefix: "database-tools" }),
      });
    }
    addStatefulInstanceProtection(this, env, ops, {
      clusterArn: cluster.clusterArn,
      group: capacity,
      serviceNames: [env.jitsi.serviceName, env.matrix.serviceName, upgradeServiceName],
    });
    if (jvb) services.jvb = jvb.serviceName;
    if (coturnDaemon) services.coturn = coturnDaemon.serviceName;

    placeServicesOnCapacityProvider(this, env, ops, scaling);

    if (ops.circuitBreakers) DeploymentCircuitBreakers.addTo(this);
    if (env.imageCache.enabled) {
      new ImageCache(this, "image_cache", {
        prefix: env.imageCache.repositoryPrefix,
        registry: `${accountId}.dkr.ecr.${env.region}.amazonaws.com`,
        credentialSecretArn: env.imageCache.credentialSecretArn!,
        keepImages: env.imageCache.keepImages,
        untaggedDays: env.imageCache.untaggedDays,
      });
    }
    const alarmTopic = addAlarms(this, env, ops, { autoScalingGroupName: env.capacity.autoScalingGroupName, clusterName: cluster.clusterName, serviceNames: services, loadBalancer: lb, xmpp });
    if (env.databaseBackups.enabled) {
      new DatabaseBackup(this, "database_backup", {
        family: operationsNames(env.name).databaseBackup,
        imageTag: env.matrix.imageTags.postgres,
        database:
          env.matrix.database === "rds"
            ? { ...databaseConnection!, name: databaseConnection!.database, sslMode: "require" }
            : {
                // The matrix task publishes its postgres on the instance's port, which a task on that instance reaches at the Docker bridge's gateway.
                host: DOCKER_BRIDGE_GATEWAY,
                port: POSTGRES_PORT,
                user: CONTAINER_DATABASE.user,
                name: CONTAINER_DATABASE.database,
                passwordFrom: parameter("POSTGRES_PASSWORD"),
                sslMode: "prefer",
                onTheInstanceOf: env.matrix.serviceName,
              },
        fileSystemId: env.efsFileSystemId,
        dumpsDirectory: `/database-dumps/${env.name}`,
        synapseData: matrixVolumes.find((volume) => volume.name === "matrix-synapse-data")!,
        clusterArn: cluster.clusterArn,
        executionRoleArn: executionRole.roleArn,
        schedule: env.databaseBackups.schedule,
        retentionDays: env.databaseBackups.retentionDays,
        alarmTopicArn: alarmTopic?.topicArn,
        logConfiguration: matrixLogs?.logConfiguration({ streamPrefix: "database-backup" }),
      });
    }
    addBackups(this, env, ops);

    // What the stack uses but does not create: warnings on a real plan, nothing offline.
    new ExternalFactChecks(this, "platform", {
      fileSystemId: env.efsFileSystemId,
      certificateArn: env.loadBalancer.certificateArn,
      certificateDomain: env.loadBalancer.certificateDomain,
    });

    new DnsRecords(this, "dns", {
      hostedZoneId: env.dns.hostedZoneId,
      hosts: env.dns.hosts,
      target: lb.dnsName,
    });

    if (coturn && turnLb) {
      new DnsRecords(this, "turn_dns", { hostedZoneId: env.dns.hostedZoneId, hosts: { turn: coturn.host }, target: turnLb.dnsName });
    }

    new TerraformOutput(this, "load_balancer_dns_name", {
      description: "DNS name of the load balancer the host names point to",
      value: lb.dnsName,
    });

    // An environment adopted from the legacy deployment: its state's addresses move here (docs/adopting-an-environment.md).
    if (env.legacy !== undefined) {
      declareLegacyMoves(this, env, props.postgresUpgrade);
    }
  }
}
