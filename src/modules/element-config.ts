/**
 * Element's `config.json` for an environment: what its users' Element connects to and calls with. The load balancer
 * serves it (`elementConfig`), so it is a document of the stacks, not a file an operator edits on EFS.
 * Keys as element-web's docs/config.md names them.
 */
export interface ElementConfigProps {
  /** Synapse's client URL, `https://<synapse host>`. */
  readonly homeserverUrl: string;
  /** The Matrix server name, the part after the colon of `@user:<serverName>`. */
  readonly serverName: string;
  /** The host of the environment's Jitsi: Element's call button starts conferences there, not on meet.element.io. */
  readonly jitsiDomain: string;
}

/** The paths Element asks for its configuration: `config.<its host>.json` first, then `config.json`. */
export const elementConfigPaths = (elementHost: string): string[] => [`/config.${elementHost}.json`, "/config.json"];

export function elementConfig(props: ElementConfigProps): Record<string, unknown> {
  return {
    default_server_config: { "m.homeserver": { base_url: props.homeserverUrl, server_name: props.serverName } },
    // Synapse's default: no guest accounts, so Element offers none.
    disable_guests: true,
    room_directory: { servers: [props.serverName] },
    jitsi: { preferred_domain: props.jitsiDomain },
  };
}

/** The document as the load balancer serves it, for an environment's hosts and Matrix server name. */
export const elementConfigBody = (hosts: { readonly synapse: string; readonly jitsi: string }, serverName: string): string =>
  JSON.stringify(elementConfig({ homeserverUrl: `https://${hosts.synapse}`, serverName, jitsiDomain: hosts.jitsi }));
