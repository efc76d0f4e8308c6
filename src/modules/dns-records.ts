import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Construct } from "constructs";

const DEFAULT_TTL = 300;

export interface DnsRecordsProps {
  readonly hostedZoneId: string;
  /** Host names keyed by what they serve; each gets a CNAME keyed the same way. */
  readonly hosts: Readonly<Record<string, string>>;
  /** Where the records point, e.g. the load balancer's DNS name. */
  readonly target: string;
  /** Seconds. @default 300 */
  readonly ttl?: number;
}

/** CNAME records pointing the platform's host names at the load balancer. */
export class DnsRecords extends Construct {
  constructor(scope: Construct, id: string, props: DnsRecordsProps) {
    super(scope, id);
    for (const [key, host] of Object.entries(props.hosts)) {
      new Route53Record(this, key, {
        zoneId: props.hostedZoneId,
        name: host,
        type: "CNAME",
        ttl: props.ttl ?? DEFAULT_TTL,
        records: [props.target],
      });
    }
  }
}
