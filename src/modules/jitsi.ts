import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ContainerDefinition } from "./container-definition";
import { EcsService, EfsVolume } from "./ecs-service";
import { PlatformSecret } from "./platform-secrets";
import { LogConfiguration, withLogConfiguration } from "./service-log-group";
import { imageReference } from "./image-reference";
import { prosodyTurnVariables, TurnServer } from "./turn";

/** Memory in MiB; the JVB's is a soft reservation, as in the legacy task, so it may use spare memory in a large call. */

/**
 * Settings a bridge outside the jitsi task (the JVB daemon) needs on both sides: the web
 * container's bridge websocket proxy reaches only a jvb in its own task, so clients must not be
 * offered it, and the bridge must not expect it.
 */
export const EXTERNAL_JVB_VARIABLES: Readonly<Record<string, string>> = { ENABLE_COLIBRI_WEBSOCKET: "0" };

export const JITSI_DEFAULT_MEMORY = { web: 256, prosody: 256, jicofo: 256, jvb: 1024 } as const;

/** Volumes the containers mount: prosody's config and the web front end's images. */
export const JITSI_VOLUMES = ["jitsi-data", "jitsi-images"] as const;

/** Where the web container mounts `jitsi-images`, unless the environment spells the path differently. */
export const JITSI_WEB_IMAGES_PATH = "/usr/share/jitsi-meet/images";

/** Host port of the web container's HTTP port, the target of the jitsi target group, unless the environment moves it. */
export const JITSI_WEB_HOST_PORT = 8000;

/** Host port of the web container's HTTPS port. */
export const JITSI_WEB_TLS_HOST_PORT = 8443;

/** TCP port of the JVB's fallback media transport, published on the instance. */
export const JVB_TCP_PORT = 4443;

/** UDP port of the JVB's media, published on the instance. */
export const JVB_MEDIA_PORT = 10000;

/** Prosody's XMPP client port; published on the instance when the JVBs run outside the task. */
export const PROSODY_XMPP_PORT = 5222;

/** The domains web, prosody and jicofo all need; the internal MUC is prosody's and jicofo's only, as in the legacy web container. */
const XMPP_PUBLIC_DOMAINS = {
  XMPP_DOMAIN: "meet.jitsi",
  XMPP_AUTH_DOMAIN: "auth.meet.jitsi",
  XMPP_MUC_DOMAIN: "muc.meet.jitsi",
} as const;
const XMPP_DOMAINS = { ...XMPP_PUBLIC_DOMAINS, XMPP_INTERNAL_MUC_DOMAIN: "internal-muc.meet.jitsi" } as const;
const XMPP_SERVER = "xmpp.meet.jitsi";
const PROSODY_LINK = `prosody:${XMPP_SERVER}`;

/** The JVB's host ports: UDP media straight from clients, and the TCP fallback. */
export const JVB_PORT_MAPPINGS = [
  { containerPort: JVB_MEDIA_PORT, hostPort: JVB_MEDIA_PORT, protocol: "udp" },
  { containerPort: JVB_TCP_PORT, hostPort: JVB_TCP_PORT },
] as const;

/**
 * The variables every JVB needs, in the jitsi task or as the daemon: how it reaches prosody
 * (`xmppServer`, the link inside the task, the XMPP load balancer outside it), its ports, and
 * STUN to find its public address when none is advertised.
 */
export function jvbEnvironment(xmppServer: string, publicUrl: string): Record<string, string> {
  return {
    XMPP_AUTH_DOMAIN: XMPP_DOMAINS.XMPP_AUTH_DOMAIN,
    XMPP_INTERNAL_MUC_DOMAIN: XMPP_DOMAINS.XMPP_INTERNAL_MUC_DOMAIN,
    XMPP_SERVER: xmppServer,
    JVB_AUTH_USER: "jvb",
    JVB_BREWERY_MUC: "jvbbrewery",
    JVB_PORT: String(JVB_MEDIA_PORT),
    JVB_TCP_PORT: String(JVB_TCP_PORT),
    JVB_TCP_MAPPED_PORT: String(JVB_TCP_PORT),
    JVB_TCP_HARVESTER_DISABLED: "true",
    JVB_STUN_SERVERS: "meet-jit-si-turnrelay.jitsi.net:443",
    PUBLIC_URL: publicUrl,
  };
}

export interface JitsiProps {
  readonly clusterArn: string;
  readonly serviceName: string;
  readonly taskFamily: string;
  /** Tag of the `jitsi/web`, `jitsi/prosody`, `jitsi/jicofo` and `jitsi/jvb` images. */
  readonly imageTag: string;
  /** `https://` URL users open, e.g. `https://jitsi.example.org`. */
  readonly publicUrl: string;
  /** EFS volumes named `jitsi-data` and `jitsi-images`. */
  readonly volumes: readonly EfsVolume[];
  /** SSM parameter names (or ARNs) of the XMPP passwords. */
  readonly secretParameters: Readonly<Record<Extract<PlatformSecret, `J${string}`>, string>>;
  readonly executionRoleArn: string;
  /** Target group of the web container's HTTP port. */
  readonly webTargetGroupArn: string;
  /** Host port of the web container's HTTP port. @default 8000 */
  readonly webHostPort?: number;
  /**
   * Container path of the web container's `jitsi-images` mount (the legacy staging task spells it with a
   * trailing slash, and a different path is a new task definition revision).
   * @default JITSI_WEB_IMAGES_PATH
   */
  readonly webImagesPath?: string;
  /**
   * Public IPv4 the JVB advertises for media.
   * @default - discovered at start through the JVB's STUN servers
   */
  readonly jvbAdvertiseAddress?: string;
  /**
   * Run the videobridges outside this task, one per instance (`JvbDaemon`): the task then has no
   * jvb container, publishes prosody's XMPP port 5222 on its instance and registers it with
   * `xmppTargetGroupArn`, the internal load balancer through which the bridges reach prosody
   * (bridge-mode links do not cross tasks). `jvbAdvertiseAddress` and `environment.jvb` then
   * belong to the `JvbDaemon`; `memory.jvb` is unused.
   * @default - the jvb container runs in this task, as in the legacy deployment
   */
  readonly externalJvb?: { readonly xmppTargetGroupArn: string };
  /**
   * The TURN server prosody announces to clients, with the SSM parameter of its shared secret.
   * @default - none: clients that cannot send UDP to the JVB get no media
   */
  readonly turn?: TurnServer & { readonly secretParameter: string };
  /** @default JITSI_DEFAULT_MEMORY */
  readonly memory?: Readonly<Partial<Record<keyof typeof JITSI_DEFAULT_MEMORY, number>>>;
  /** Environment variables per container over the defaults. @default - none */
  readonly environment?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Log configuration of every container, e.g. the `awslogs` driver of a `ServiceLogGroup`.
   * @default - the Docker daemon's default (logs stay on the host)
   */
  readonly logConfiguration?: LogConfiguration;
  /** @default - nothing beyond references */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Jitsi Meet: web, prosody, jicofo and the videobridge in one task, one service behind the load balancer. */
export class Jitsi extends Construct {
  public readonly containers: readonly ContainerDefinition[];
  public readonly taskDefinitionArn: string;

  constructor(scope: Construct, id: string, props: JitsiProps) {
    super(scope, id);
    const unknown = Object.keys(props.environment ?? {}).filter((name) => !["web", "prosody", "jicofo", "jvb"].includes(name));
    if (unknown.length > 0) {
      throw new Error(`jitsi.environment: no container named ${unknown.join(", ")}; use web, prosody, jicofo or jvb.`);
    }
    if (props.externalJvb && (props.jvbAdvertiseAddress !== undefined || props.environment?.jvb !== undefined)) {
      const field = props.jvbAdvertiseAddress !== undefined ? "jvbAdvertiseAddress" : "environment.jvb";
      throw new Error(`jitsi.${field}: set with externalJvb, where the task has no jvb container; give it to the JvbDaemon instead.`);
    }
    const memory = { ...JITSI_DEFAULT_MEMORY, ...props.memory };
    const env = (container: string, defaults: Record<string, string>) => ({
      TZ: "UTC",
      ...defaults,
      ...props.environment?.[container],
    });
    const image = (name: string) => imageReference(`jitsi/${name}`, props.imageTag);
    const advertised: Record<string, string> = props.jvbAdvertiseAddress
      ? { JVB_ADVERTISE_IPS: props.jvbAdvertiseAddress, DOCKER_HOST_ADDRESS: props.jvbAdvertiseAddress }
      : {};

    const containers: ContainerDefinition[] = [
      {
        name: "web",
        image: image("web"),
        memory: memory.web,
        links: [PROSODY_LINK],
        portMappings: [
          { containerPort: 80, hostPort: props.webHostPort ?? JITSI_WEB_HOST_PORT },
          { containerPort: 443, hostPort: JITSI_WEB_TLS_HOST_PORT },
        ],
        mountPoints: [{ sourceVolume: "jitsi-images", containerPath: props.webImagesPath ?? JITSI_WEB_IMAGES_PATH }],
        environment: {
          ...env("web", {
            ...XMPP_PUBLIC_DOMAINS,
            XMPP_GUEST_DOMAIN: "guest.meet.jitsi",
            XMPP_RECORDER_DOMAIN: "recorder.meet.jitsi",
            XMPP_BOSH_URL_BASE: `http://${XMPP_SERVER}:5280`,
            JICOFO_AUTH_USER: "focus",
            ENABLE_RECORDING: "0",
            ENABLE_XMPP_WEBSOCKET: "0",
            PUBLIC_URL: props.publicUrl,
          }),
          ...(props.externalJvb ? EXTERNAL_JVB_VARIABLES : {}),
        },
      },
      {
        name: "prosody",
        image: image("prosody"),
        memory: memory.prosody,
        hostname: XMPP_SERVER,
        portMappings: props.externalJvb ? [{ containerPort: PROSODY_XMPP_PORT, hostPort: PROSODY_XMPP_PORT }] : undefined,
        mountPoints: [{ sourceVolume: "jitsi-data", containerPath: "/config" }],
        environment: env("prosody", {
          ...XMPP_DOMAINS,
          XMPP_GUEST_DOMAIN: "guest.meet.jitsi",
          XMPP_RECORDER_DOMAIN: "recorder.meet.jitsi",
          JICOFO_AUTH_USER: "focus",
          JVB_AUTH_USER: "jvb",
          JIGASI_XMPP_USER: "jigasi",
          JIBRI_XMPP_USER: "jibri",
          JIBRI_RECORDER_USER: "recorder",
          ENABLE_LOBBY: "1",
          ENABLE_XMPP_WEBSOCKET: "0",
          PUBLIC_URL: props.publicUrl,
          ...(props.turn ? prosodyTurnVariables(props.turn) : {}),
        }),
        secrets: {
          ...(props.turn ? { TURN_CREDENTIALS: props.turn.secretParameter } : {}),
          JICOFO_AUTH_PASSWORD: props.secretParameters.JICOFO_AUTH_PASSWORD,
          JVB_AUTH_PASSWORD: props.secretParameters.JVB_AUTH_PASSWORD,
          JIGASI_XMPP_PASSWORD: props.secretParameters.JIGASI_XMPP_PASSWORD,
          JIBRI_RECORDER_PASSWORD: props.secretParameters.JIBRI_RECORDER_PASSWORD,
          JIBRI_XMPP_PASSWORD: props.secretParameters.JIBRI_XMPP_PASSWORD,
        },
      },
      {
        name: "jicofo",
        image: image("jicofo"),
        memory: memory.jicofo,
        links: [PROSODY_LINK],
        environment: env("jicofo", {
          ...XMPP_DOMAINS,
          XMPP_SERVER,
          JICOFO_AUTH_USER: "focus",
          JVB_BREWERY_MUC: "jvbbrewery",
          JIBRI_BREWERY_MUC: "jibribrewery",
          JIGASI_BREWERY_MUC: "jigasibrewery",
          JIBRI_PENDING_TIMEOUT: "90",
          ENABLE_RECORDING: "0",
        }),
        secrets: { JICOFO_AUTH_PASSWORD: props.secretParameters.JICOFO_AUTH_PASSWORD },
      },
      {
        name: "jvb",
        image: image("jvb"),
        memoryReservation: memory.jvb,
        links: [PROSODY_LINK],
        portMappings: [...JVB_PORT_MAPPINGS],
        environment: env("jvb", { ...jvbEnvironment(XMPP_SERVER, props.publicUrl), ...advertised }),
        secrets: { JVB_AUTH_PASSWORD: props.secretParameters.JVB_AUTH_PASSWORD },
      },
    ];
    const running = containers.filter((container) => !(props.externalJvb && container.name === "jvb"));
    this.containers = props.logConfiguration ? withLogConfiguration(running, props.logConfiguration) : running;

    const service = new EcsService(this, "Default", {
      clusterArn: props.clusterArn,
      serviceName: props.serviceName,
      family: props.taskFamily,
      containers: this.containers,
      volumes: props.volumes,
      executionRoleArn: props.executionRoleArn,
      loadBalancerTargets: [
        { containerName: "web", containerPort: 80, targetGroupArn: props.webTargetGroupArn },
        ...(props.externalJvb
          ? [{ containerName: "prosody", containerPort: PROSODY_XMPP_PORT, targetGroupArn: props.externalJvb.xmppTargetGroupArn }]
          : []),
      ],
      dependsOn: props.dependsOn,
    });
    this.taskDefinitionArn = service.taskDefinitionArn;
  }
}
