import { ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { ContainerDefinition } from "./container-definition";
import { daemonService } from "./daemon-service";
import { EXTERNAL_JVB_VARIABLES, JITSI_DEFAULT_MEMORY, JVB_PORT_MAPPINGS, jvbEnvironment } from "./jitsi";
import { imageReference } from "./image-reference";

export interface JvbDaemonProps {
  readonly clusterArn: string;
  readonly serviceName: string;
  /** Task definition family. */
  readonly taskFamily: string;
  /** Tag of the `jitsi/jvb` image: the jitsi task's tag, so that bridge and jicofo match. */
  readonly imageTag: string;
  /** `https://` URL users open, e.g. `https://jitsi.example.org`. */
  readonly publicUrl: string;
  /** Where the JVBs reach prosody's XMPP port 5222: `XmppLoadBalancer.dnsName`. */
  readonly xmppServer: string;
  /** SSM parameter name or ARN of `JVB_AUTH_PASSWORD`, the one prosody registers the `jvb` user with. */
  readonly jvbAuthPasswordParameter: string;
  /** Role ECS starts the task with; it must be allowed to read the parameter. */
  readonly executionRoleArn: string;
  /**
   * Soft memory limit in MiB, a reservation on every instance; the JVB may use spare memory above it.
   * @default 1024
   */
  readonly memoryReservation?: number;
  /** Environment variables over the defaults, e.g. `JVB_STUN_SERVERS`. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Log configuration of the container, e.g. the `awslogs` driver of a `ServiceLogGroup`.
   * @default - the Docker daemon's default (logs stay on the host)
   */
  readonly logConfiguration?: ContainerDefinition["logConfiguration"];
  /** @default - nothing beyond references */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Variables the daemon sets itself; an override would break the bridge's discovery or its ports. */
export const JVB_DAEMON_OWN_VARIABLES: readonly string[] = ["XMPP_SERVER", "JVB_ADVERTISE_IPS", "DOCKER_HOST_ADDRESS", "JVB_PORT", "JVB_TCP_PORT", "JVB_TCP_MAPPED_PORT"];

/**
 * Settings the daemon fixes, which an environment may repeat but not change. Colibri websockets
 * go through the web container's nginx to a `jvb` it links to; a bridge on another instance is
 * unreachable that way, so the bridge channel must stay on SCTP.
 */
export const JVB_DAEMON_FIXED_VARIABLES: Readonly<Record<string, string>> = EXTERNAL_JVB_VARIABLES;

/**
 * The Jitsi Videobridge as its own ECS service with DAEMON scheduling: one JVB on
 * every container instance, on host ports UDP 10000 and TCP 4443, advertising the
 * public IPv4 of the instance it runs on, which it learns from its STUN servers
 * (`JVB_STUN_SERVERS`) at start: no container asks the instance metadata service,
 * which the launch template keeps from them. It joins the shared prosody/jicofo
 * through `xmppServer`. Conference capacity then grows with the group: jicofo puts
 * new conferences on the bridge with the least load. Use with `Jitsi` `externalJvb`,
 * or the jitsi task's own bridge holds the same host ports.
 */
export class JvbDaemon extends Construct {
  public readonly container: ContainerDefinition;
  public readonly taskDefinitionArn: string;
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: JvbDaemonProps) {
    super(scope, id);
    const overridden = Object.keys(props.environment ?? {}).filter((name) => JVB_DAEMON_OWN_VARIABLES.includes(name));
    if (overridden.length > 0) {
      throw new Error(
        `environment: ${overridden.join(", ")} set, which the JVB daemon sets itself (address found through STUN at start, fixed host ports, ` +
          "xmppServer); remove them.",
      );
    }
    for (const [name, fixed] of Object.entries(JVB_DAEMON_FIXED_VARIABLES)) {
      const value = props.environment?.[name];
      if (value !== undefined && value !== fixed) {
        throw new Error(
          `environment.${name}: ${JSON.stringify(value)} cannot work with a JVB on every instance (the web container's websocket ` +
            `proxy reaches only a bridge in its own task); remove it or set ${JSON.stringify(fixed)}.`,
        );
      }
    }
    const memoryReservation = props.memoryReservation ?? JITSI_DEFAULT_MEMORY.jvb;
    if (!Token.isUnresolved(memoryReservation) && !(Number.isInteger(memoryReservation) && memoryReservation >= 128)) {
      throw new Error(`memoryReservation: ${memoryReservation} is not a reservation the JVB runs in; use a whole number of MiB, at least 128 (e.g. 1024).`);
    }

    // The jitsi task's jvb variables, but XMPP_SERVER is the load balancer: links do not cross tasks.
    this.container = {
      name: "jvb",
      image: imageReference("jitsi/jvb", props.imageTag),
      memoryReservation,
      portMappings: [...JVB_PORT_MAPPINGS],
      environment: { TZ: "UTC", ...jvbEnvironment(props.xmppServer, props.publicUrl), ...props.environment, ...JVB_DAEMON_FIXED_VARIABLES },
      secrets: { JVB_AUTH_PASSWORD: props.jvbAuthPasswordParameter },
      logConfiguration: props.logConfiguration,
    };

    const { taskDefinition, service } = daemonService(this, { ...props, container: this.container });
    this.taskDefinitionArn = taskDefinition.arn;
    this.serviceName = service.name;
  }
}
