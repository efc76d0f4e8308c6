/**
 * The TURN server both Jitsi and Matrix hand their clients: one server, one shared secret, from which prosody and
 * Synapse each derive short-lived credentials per client (TURN REST, coturn's `use-auth-secret`), so no client
 * ever holds the secret and no password list is kept.
 */

export const DEFAULT_TURN_PORTS = {
  /** TURN over UDP and TCP, coturn's listening port. */
  port: 3478,
  /** TURN over TLS: 443 gets through firewalls that let only HTTPS out. */
  tlsPort: 443,
} as const;

/** Where the environment's TURN server runs: a coturn of its own on the instances, or a server it only names. */
export const TURN_SERVERS = ["coturn", "external"] as const;
export type TurnServerKind = (typeof TURN_SERVERS)[number];

export interface TurnServer {
  /** DNS name of the server, which its TLS certificate names. */
  readonly host: string;
  readonly port: number;
  readonly tlsPort: number;
}

/**
 * docker-jitsi-meet's prosody variables for the server: prosody announces it to clients (XEP-0215) as TURN over
 * UDP and TCP and as TURNS over TLS, with credentials from `TURN_CREDENTIALS` (the shared secret, through `secrets`).
 */
export function prosodyTurnVariables(turn: TurnServer): Record<string, string> {
  return {
    TURN_HOST: turn.host,
    TURN_PORT: String(turn.port),
    TURN_TRANSPORT: "udp,tcp",
    TURNS_HOST: turn.host,
    TURNS_PORT: String(turn.tlsPort),
  };
}

/** Synapse's `turn_uris`: the same three ways in, for Matrix's own calls. */
export function synapseTurnUris(turn: TurnServer): string[] {
  return [
    `turn:${turn.host}:${turn.port}?transport=udp`,
    `turn:${turn.host}:${turn.port}?transport=tcp`,
    `turns:${turn.host}:${turn.tlsPort}?transport=tcp`,
  ];
}
