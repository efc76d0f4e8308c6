import { Token } from "cdktf";
import { Construct } from "constructs";
import { ContainerDefinition, PortMapping } from "./container-definition";
import { daemonService, DaemonServiceProps } from "./daemon-service";
import { imageReference } from "./image-reference";

/** coturn of an environment's own, as a new environment gets it. */
export const COTURN_DEFAULTS = {
  /** coturn's image of its 4.17.0 release (coturn/coturn's `docker/4.17.0-r0`): revision tags are never rebuilt. */
  imageTag: "4.17.0-r0",
  /** MiB; coturn holds a few MiB per relayed session. */
  memory: 256,
  /**
   * The relayed media's UDP ports on each instance: one per client behind a UDP-blocking firewall, per instance.
   * Docker publishes each port of a range with a proxy of its own, so the range stays small.
   */
  relayPorts: { min: 49160, max: 49199 },
} as const;

/** The most relay ports one instance publishes: Docker runs one proxy process per published port. */
export const COTURN_MAX_RELAY_PORTS = 100;

/**
 * Peers coturn never relays to: a TURN server relays to whatever address its client names, so without these a
 * client could reach the VPC, the instance metadata service and the Docker bridge through it. The JVB is reached at
 * its instance's public address, which stays allowed.
 */
export const COTURN_DENIED_PEER_RANGES: readonly string[] = [
  "0.0.0.0-0.255.255.255",
  "10.0.0.0-10.255.255.255",
  "100.64.0.0-100.127.255.255",
  "127.0.0.0-127.255.255.255",
  "169.254.0.0-169.254.255.255",
  "172.16.0.0-172.31.255.255",
  "192.0.0.0-192.0.0.255",
  "192.0.2.0-192.0.2.255",
  "192.168.0.0-192.168.255.255",
  "198.18.0.0-198.19.255.255",
  "198.51.100.0-198.51.100.255",
  "203.0.113.0-203.0.113.255",
  "240.0.0.0-255.255.255.255",
];

/** Every port of a relay range, in order. */
export const coturnRelayPorts = ({ min, max }: { readonly min: number; readonly max: number }): number[] => Array.from({ length: max - min + 1 }, (_, index) => min + index);

/** The variable ECS fills with the shared secret, which coturn's entry point expands into its argument. */
const SHARED_SECRET_VARIABLE = "TURN_SHARED_SECRET";

export interface CoturnSettings {
  /** The TURN server's DNS name: coturn's realm and server name. */
  readonly realm: string;
  /** TURN over UDP and TCP; TLS ends at the load balancer, which forwards it here as TCP. */
  readonly listeningPort: number;
  readonly relayPorts: { readonly min: number; readonly max: number };
}

/**
 * coturn's arguments. The image's entry point runs each through the shell's `echo`, which fills in the detected public
 * address and the secret (quoted: its characters stay as they are); nothing else here has a shell character in it.
 */
export function coturnArguments(settings: CoturnSettings): string[] {
  return [
    "--log-file=stdout",
    // The instance's public IPv4, found through DNS at start (the image's detect-external-ip): relay addresses are announced as it.
    "--external-ip=$(detect-external-ip)",
    `--listening-port=${settings.listeningPort}`,
    `--min-port=${settings.relayPorts.min}`,
    `--max-port=${settings.relayPorts.max}`,
    `--realm=${settings.realm}`,
    `--server-name=${settings.realm}`,
    // TURN REST: prosody and Synapse hand each client a short-lived user and password made from the shared secret.
    "--use-auth-secret",
    `--static-auth-secret="$${SHARED_SECRET_VARIABLE}"`,
    "--fingerprint",
    // TLS ends at the load balancer; WebRTC relays UDP only; no admin console.
    "--no-tls",
    "--no-dtls",
    "--no-tcp-relay",
    "--no-cli",
    "--no-multicast-peers",
    "--no-software-attribute",
    "--pidfile=/var/lib/coturn/turnserver.pid",
    ...COTURN_DENIED_PEER_RANGES.map((range) => `--denied-peer-ip=${range}`),
  ];
}

/** The daemon service's own props (cluster, names, execution role, which must be allowed to read the parameter), and coturn's. */
export interface CoturnDaemonProps extends CoturnSettings, Omit<DaemonServiceProps, "container"> {
  /** Tag of the `coturn/coturn` image. */
  readonly imageTag: string;
  /** SSM parameter name or ARN of the shared secret prosody and Synapse derive the clients' credentials from. */
  readonly sharedSecretParameter: string;
  /** Hard memory limit, MiB. @default 256 */
  readonly memory?: number;
  /** @default - the Docker daemon's default (logs stay on the host) */
  readonly logConfiguration?: ContainerDefinition["logConfiguration"];
}

/**
 * coturn as an ECS service with DAEMON scheduling: a TURN server on every container instance, on host ports of the
 * listening port (UDP and TCP) and the relay range (UDP), behind `TurnLoadBalancer`. Bridge networking as the other
 * tasks (a host-network container could reach the instance metadata service); each relay port is published as itself,
 * since the address coturn announces must be the one the instance receives on.
 */
export class CoturnDaemon extends Construct {
  public readonly container: ContainerDefinition;
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: CoturnDaemonProps) {
    super(scope, id);
    const { min, max } = props.relayPorts;
    if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && !(Number.isInteger(min) && Number.isInteger(max) && min <= max && max - min < COTURN_MAX_RELAY_PORTS)) {
      throw new Error(`relayPorts: ${min}-${max} is not a range of 1 to ${COTURN_MAX_RELAY_PORTS} ports; give whole numbers with min <= max, e.g. 49160-49199.`);
    }
    const relayMappings: PortMapping[] = coturnRelayPorts(props.relayPorts).map((port) => ({ containerPort: port, protocol: "udp" }));
    this.container = {
      name: "coturn",
      image: imageReference("coturn/coturn", props.imageTag),
      memory: props.memory ?? COTURN_DEFAULTS.memory,
      command: coturnArguments(props),
      portMappings: [{ containerPort: props.listeningPort, protocol: "udp" }, { containerPort: props.listeningPort, protocol: "tcp" }, ...relayMappings],
      secrets: { [SHARED_SECRET_VARIABLE]: props.sharedSecretParameter },
      // coturn writes only its database and pid file, to the image's volume /var/lib/coturn.
      readonlyRootFilesystem: true,
      logConfiguration: props.logConfiguration,
    };
    const { service } = daemonService(this, { ...props, container: this.container });
    this.serviceName = service.name;
  }
}
