import type { Environment } from "../../src/environments";
import type { Draft } from "./fixtures";

/** A rule of validation: how to break an environment, the path of the problem, the gist of its message. */
export type Row = [rule: string, breakIt: (env: Draft<Environment>) => void, path: string, gist: RegExp];

/** Sets a field to a value its type does not allow, as a hand-edited or generated environment could. */
export const untyped = (target: object, key: string, value: unknown) => {
  (target as Record<string, unknown>)[key] = value;
};

const WAIVER_REASON = "kept from the legacy deployment until its operators change it";

/** One row per rule: the environment broken in one way, the path of the problem, the gist of its message. */
export const BAD_ENVIRONMENTS: Row[] = [
  // Shape
  ["an unknown (misspelt) field", (e) => untyped(e.capacity, "desiredCapacty", 1), "capacity.desiredCapacty", /is not a field of capacity; remove it or fix its spelling \(fields: .*desiredCapacity/],
  ["a missing field", (e) => untyped(e, "efsFileSystemId", undefined), "efsFileSystemId", /is missing; add it \(a string\)/],
  ["a value of the wrong type", (e) => untyped(e.capacity, "desiredCapacity", "1"), "capacity.desiredCapacity", /"1" is not a number; give a number/],
  ["a value outside an enumeration", (e) => untyped(e.capacity, "healthCheckType", "HTTP"), "capacity.healthCheckType", /"HTTP" is not allowed; use one of "EC2", "ELB"/],
  // Environment, region, tags, account
  ["an environment name that cannot name stacks", (e) => (e.name = "Dev_1"), "name", /not a valid environment name; use lowercase letters/],
  ["a malformed region", (e) => (e.region = "eu-west"), "region", /"eu-west" is not a valid region; it looks like "eu-west-1"/],
  ["a tag key AWS reserves", (e) => (e.tags["aws:owner"] = "x"), 'tags["aws:owner"]', /starts with "aws:", which AWS reserves; rename it/],
  ["a Name tag the resources would override", (e) => (e.tags.Name = "dev"), "tags.Name", /would be overridden by each resource's own Name; remove it/],
  ["a tag value longer than 256 characters", (e) => (e.tags.Owner = "x".repeat(257)), "tags.Owner", /has 257 characters, more than the 256 AWS allows for a tag value; shorten it/],
  ["a malformed account ID", (e) => (e.accountId = "1234"), "accountId", /"1234" is not a valid 12-digit AWS account ID/],
  // IDs and ARNs
  ["a malformed VPC ID", (e) => (e.network.vpcId = "vpc-123"), "network.vpcId", /"vpc-123" is not a valid VPC ID; it looks like "vpc-0123456789abcdef0"/],
  ["a malformed EFS ID", (e) => (e.efsFileSystemId = "efs-0123"), "efsFileSystemId", /not a valid EFS file system ID/],
  ["a malformed AMI ID", (e) => (e.capacity.imageId = "ami-xyz"), "capacity.imageId", /not a valid AMI ID/],
  ["a malformed certificate ARN", (e) => (e.loadBalancer.certificateArn = "arn:aws:acm:eu-west-1:123456789012:cert/1"), "loadBalancer.certificateArn", /not a valid ACM certificate ARN; it looks like "arn:aws:acm:/],
  ["a certificate of another region", (e) => (e.loadBalancer.certificateArn = e.loadBalancer.certificateArn.replace("eu-west-1", "us-east-1")), "loadBalancer.certificateArn", /in us-east-1, but a load balancer in eu-west-1 can only use a certificate of its own region/],
  ["a certificate of another account", (e) => (e.loadBalancer.certificateArn = e.loadBalancer.certificateArn.replace("123456789012", "210987654321")), "loadBalancer.certificateArn", /belongs to account 210987654321, not to the environment's account 123456789012/],
  ["a malformed hosted zone ID", (e) => (e.dns.hostedZoneId = "zone-1"), "dns.hostedZoneId", /not a valid Route53 hosted zone ID/],
  ["a malformed instance type", (e) => (e.capacity.instanceType = "c5a-large"), "capacity.instanceType", /not a valid EC2 instance type; it looks like "c5a.large"/],
  ["a malformed TLS policy name", (e) => (e.loadBalancer.sslPolicy = "TLS13"), "loadBalancer.sslPolicy", /not a valid predefined ELB security policy name/],
  // Subnets
  ["a malformed subnet CIDR", (e) => (e.network.subnets[0].cidrBlock = "10.20.1/28"), "network.subnets[0].cidrBlock", /"10.20.1\/28" is not an IPv4 CIDR; write it as address\/prefix/],
  ["a subnet CIDR with host bits", (e) => (e.network.subnets[0].cidrBlock = "10.20.1.5/28"), "network.subnets[0].cidrBlock", /has host bits set; write the network address "10.20.1.0\/28"/],
  ["a subnet smaller than AWS allows", (e) => (e.network.subnets[0].cidrBlock = "10.20.1.0/30"), "network.subnets[0].cidrBlock", /\/30 prefix; AWS subnets are \/16 to \/28/],
  ["overlapping subnets", (e) => (e.network.subnets[1].cidrBlock = "10.20.0.0/23"), "network.subnets[1].cidrBlock", /"10.20.0.0\/23" overlaps network.subnets\[0\].cidrBlock "10.20.1.0\/28"; give each subnet a range of its own/],
  ["a subnet outside the VPC", (e) => (e.network.subnets[0].cidrBlock = "10.30.1.0/28"), "network.subnets[0].cidrBlock", /is outside network.vpcCidrBlock "10.20.0.0\/16"; pick a range inside/],
  ["a malformed VPC CIDR", (e) => (e.network.vpcCidrBlock = "10.0.0.0/8"), "network.vpcCidrBlock", /\/8 prefix; a VPC range is \/16 to \/28/],
  ["a malformed availability zone", (e) => (e.network.subnets[0].availabilityZone = "eu-west-1"), "network.subnets[0].availabilityZone", /not a valid availability zone name/],
  ["a zone outside the region", (e) => (e.network.subnets[0].availabilityZone = "us-east-1a"), "network.subnets[0].availabilityZone", /"us-east-1a" is not in the environment's region "eu-west-1"/],
  ["two subnets in one zone", (e) => (e.network.subnets[1].availabilityZone = "eu-west-1a"), "network.subnets[1].availabilityZone", /already the zone of network.subnets\[0\]; an ALB .* needs two zones: put this subnet in another zone, e.g. "eu-west-1b"/],
  ["a single subnet", (e) => e.network.subnets.pop(), "network.subnets", /has 1 subnet\(s\); the load balancer needs subnets in at least two availability zones/],
  ["a subnet Name tag with characters AWS refuses", (e) => (e.network.subnets[0].name = "subnet<1>"), "network.subnets[0].name", /characters AWS refuses in a subnet Name tag/],
  // AWS names
  ["a load balancer name longer than 32 characters", (e) => (e.loadBalancer.name = "jitsi-matrix-application-lb-dev-1"), "loadBalancer.name", /has 33 characters, more than the 32 AWS allows for a load balancer name/],
  ["a load balancer name ending in a hyphen", (e) => (e.loadBalancer.name = "jitsi-alb-"), "loadBalancer.name", /not a valid load balancer name; use letters, digits and hyphens, not starting or ending with a hyphen/],
  ["a load balancer name AWS reserves", (e) => (e.loadBalancer.name = "internal-alb"), "loadBalancer.name", /starts with "internal-", which AWS reserves/],
  ["a target group name longer than 32 characters", (e) => (e.loadBalancer.targetGroupNames.synapse = "synapse-http-target-development-1"), "loadBalancer.targetGroupNames.synapse", /more than the 32 AWS allows for a target group name/],
  ["two target groups with one name", (e) => (e.loadBalancer.targetGroupNames.element = e.loadBalancer.targetGroupNames.jitsi), "loadBalancer.targetGroupNames.element", /is also loadBalancer.targetGroupNames.jitsi; target group names are unique/],
  ["a security group name AWS reserves", (e) => (e.securityGroups.instances.name = "sg-instances"), "securityGroups.instances.name", /starts with "sg-", which AWS reserves/],
  ["a security group name longer than 255 characters", (e) => (e.securityGroups.efs.name = "g".repeat(256)), "securityGroups.efs.name", /more than the 255 AWS allows for a security group name/],
  ["a security group description with characters AWS refuses", (e) => (e.securityGroups.efs.description = "efs <dev>"), "securityGroups.efs.description", /not a valid security group description/],
  ["two security groups with one name", (e) => (e.securityGroups.efs.name = e.securityGroups.loadBalancer.name), "securityGroups.efs.name", /is also securityGroups.loadBalancer.name; security group names are unique in a VPC/],
  ["an IAM role name longer than 64 characters", (e) => (e.iam.instanceRoleName = "r".repeat(65)), "iam.instanceRoleName", /more than the 64 AWS allows for a IAM role name/],
  ["an IAM role name with characters IAM refuses", (e) => (e.iam.instanceRoleName = "agent/dev"), "iam.instanceRoleName", /not a valid IAM role name; use letters, digits and \+=,.@_-/],
  ["an instance profile name with characters IAM refuses", (e) => (e.iam.instanceProfileName = "agent dev"), "iam.instanceProfileName", /not a valid IAM instance profile name/],
  ["a default task execution role name longer than 64 characters", (e) => (e.cluster.name = "c".repeat(50)), "iam.taskExecutionRoleName", /is not set, and the default .* has 65 characters, more than the 64 of an IAM role name; set a shorter name/],
  ["one name for both roles", (e) => (e.iam.taskExecutionRoleName = e.iam.instanceRoleName), "iam.taskExecutionRoleName", /is also iam.instanceRoleName; the instances' role and the task execution role are different roles/],
  ["a cluster name ECS refuses", (e) => (e.cluster.name = "jitsi matrix"), "cluster.name", /not a valid cluster name; use letters, digits, hyphens and underscores/],
  ["a service name ECS refuses", (e) => (e.jitsi.serviceName = "jitsi.service"), "jitsi.serviceName", /not a valid service name/],
  ["two services with one name", (e) => (e.matrix.serviceName = e.jitsi.serviceName), "matrix.serviceName", /is also jitsi.serviceName; service names are unique in a cluster/],
  ["two tasks with one family", (e) => (e.postgresUpgrade.taskFamily = e.matrix.taskFamily), "postgresUpgrade.taskFamily", /is also matrix.taskFamily; each task needs a family of its own/],
  ["an Auto Scaling group name with a colon", (e) => (e.capacity.autoScalingGroupName = "asg:dev"), "capacity.autoScalingGroupName", /not a valid Auto Scaling group name/],
  ["a key pair name that is not ASCII", (e) => (e.capacity.keyName = "schlüssel"), "capacity.keyName", /not a valid EC2 key pair name; use printable ASCII/],
  // Host names
  ["a host name that is not a DNS name", (e) => (e.dns.hosts.jitsi = "jitsi_dev.dev.example.org"), "dns.hosts.jitsi", /is not a valid DNS name: label "jitsi_dev"/],
  ["a host name with uppercase letters", (e) => (e.dns.hosts.jitsi = "Jitsi.dev.example.org"), "dns.hosts.jitsi", /has uppercase letters, .* write "jitsi.dev.example.org"/],
  ["a host name without its domain", (e) => (e.dns.hosts.element = "element"), "dns.hosts.element", /is not a fully qualified host name/],
  ["a host name outside the hosted zone", (e) => (e.dns.hosts.element = "element.example.com"), "dns.hosts.element", /is not inside the hosted zone "dev.example.org"/],
  ["a host name at the zone's apex", (e) => (e.dns.hosts.jitsi = "dev.example.org"), "dns.hosts.jitsi", /is the zone's apex, where a CNAME record is not allowed/],
  ["a malformed hosted zone name", (e) => (e.dns.hostedZoneName = "dev.example.org."), "dns.hostedZoneName", /ends with a dot; write it without/],
  ["two services on one host name", (e) => (e.dns.hosts.synapse = e.dns.hosts.matrix), "dns.hosts.synapse", /is also dns.hosts.matrix; each service needs a host name of its own/],
  // Listener rules
  ["listener rule priorities that collide", (e) => (e.loadBalancer.rulePriorities = { synapse: 99 }), "loadBalancer.rulePriorities.synapse", /99 is also the priority of the element rule; listener rule priorities must be unique/],
  ["a listener rule priority out of range", (e) => (e.loadBalancer.rulePriorities = { element: 50001 }), "loadBalancer.rulePriorities.element", /must be a whole number from 1 to 50000/],
  // Autoscaling sizes
  ["min above desired", (e) => (e.capacity.minSize = 2), "capacity.minSize", /2 is more than capacity.desiredCapacity \(1\); .*lower minSize or raise desiredCapacity/],
  ["desired above max", (e) => (e.capacity.desiredCapacity = 2), "capacity.desiredCapacity", /2 is more than capacity.maxSize \(1\); .*lower desiredCapacity or raise maxSize/],
  ["no instance at all", (e) => Object.assign(e.capacity, { minSize: 0, desiredCapacity: 0, maxSize: 0 }), "capacity.maxSize", /0 leaves no instance to run the services/],
  ["a fractional size", (e) => (e.capacity.maxSize = 1.5), "capacity.maxSize", /1.5 is not a valid instance count: it must be a whole number/],
  ["a negative grace period", (e) => (e.capacity.healthCheckGracePeriod = -1), "capacity.healthCheckGracePeriod", /not a valid number of seconds/],
  // Memory and ports of the tasks
  ["container memory below Docker's minimum", (e) => (e.jitsi.memory = { web: 4 }), "jitsi.memory.web", /4 is not a valid memory in MiB: .*at least 6 MiB/],
  ["memory for a container the task does not have", (e) => untyped(e.jitsi.memory!, "jibri", 256), "jitsi.memory.jibri", /is not a field of jitsi.memory/],
  ["a task whose containers together outgrow the instance", (e) => (e.jitsi.memory = { jvb: 4096 }), "jitsi.memory", /the jitsi task's containers together reserve 4864 MiB .* more than the 3686 MiB a c5a.large offers/],
  ["matrix containers that outgrow the instance", (e) => (e.matrix.containerMemory = 1024), "matrix.containerMemory", /the matrix task's containers together reserve 4096 MiB/],
  ["a host port two containers of one task publish", (e) => (e.jitsi.webHostPort = 4443), "jitsi.webHostPort", /4443\/tcp is also the host port of the jvb container in the jitsi task; containers of one task need distinct host ports/],
  ["a host port that clashes with another container of the matrix task", (e) => (e.matrix.synapseHostPort = 6379), "matrix.synapseHostPort", /6379\/tcp is also the host port of the redis container in the matrix task/],
  ["a host port used twice on the same instance", (e) => (e.matrix.elementHostPort = 8443), "matrix.elementHostPort", /8443\/tcp is also published by the web container of the jitsi task, and both tasks run on the same instance/],
  ["a host port the instance keeps for itself", (e) => (e.jitsi.webHostPort = 51678), "jitsi.webHostPort", /51678 is reserved on ECS container instances for the ECS agent's introspection API/],
  ["a port out of range", (e) => (e.matrix.elementHostPort = 70000), "matrix.elementHostPort", /must be a whole number from 1 to 65535/],
  // Volumes
  ["an EFS root directory that is not absolute", (e) => (e.jitsi.volumes[0].rootDirectory = "prosody/config"), "jitsi.volumes[0].rootDirectory", /"prosody\/config" is not an absolute path; .* e.g. "\/prosody\/config"/],
  ["an EFS root directory that climbs out", (e) => (e.matrix.volumes[0].rootDirectory = "/matrix/../etc"), "matrix.volumes[0].rootDirectory", /climbs with ".."/],
  ["a volume the containers need is missing", (e) => e.matrix.volumes.pop(), "matrix.volumes", /has no volume "matrix-element-data", which the containers mount/],
  ["two volumes with one name", (e) => e.jitsi.volumes.push({ name: "jitsi-data", rootDirectory: "/other" }), "jitsi.volumes[2].name", /is also jitsi.volumes\[0\].name; a task's volumes need distinct names/],
  ["a volume name ECS refuses", (e) => (e.jitsi.volumes[1].name = "jitsi images"), "jitsi.volumes[1].name", /not a valid volume name/],
  // Images
  ["an image without a tag", (e) => (e.jitsi.imageTag = ""), "jitsi.imageTag", /is empty, so the image has no tag/],
  ["a malformed image tag", (e) => (e.matrix.imageTags.redis = "6.2:alpine"), "matrix.imageTags.redis", /"6.2:alpine" is not a Docker tag/],
  ["an image tagged latest in a new environment", (e) => (e.matrix.imageTags.synapse = "latest"), "matrix.imageTags.synapse", /"latest" runs whatever was pushed last.*; pin a version tag, or add waivers\["pinned-image-tags"\]/],
  ["the upgrade's image tagged latest", (e) => (e.postgresUpgrade.imageTag = "latest"), "postgresUpgrade.imageTag", /pin a version tag, or add waivers\["pinned-image-tags"\]/],
  // Container environment and addresses
  ["a literal password in a container's environment", (e) => (e.jitsi.environment = { prosody: { JICOFO_AUTH_PASSWORD: "hunter2" } }), "jitsi.environment.prosody.JICOFO_AUTH_PASSWORD", /looks like a secret and must not be a literal .* pass it through the container's secrets/],
  ["variables for a container the task does not have", (e) => (e.jitsi.environment = { jibri: { A: "1" } }), "jitsi.environment.jibri", /there is no container "jibri" in the jitsi task; use web, prosody, jicofo, jvb/],
  ["a variable name the shell refuses", (e) => (e.jitsi.environment = { web: { "1A": "x" } }), 'jitsi.environment.web["1A"]', /is not a variable name/],
  ["a private JVB address", (e) => (e.jitsi.jvbAdvertiseAddress = "10.20.1.5"), "jitsi.jvbAdvertiseAddress", /is a private address, which clients on the internet cannot reach/],
  ["a JVB address that is not an address", (e) => (e.jitsi.jvbAdvertiseAddress = "jvb.example.org"), "jitsi.jvbAdvertiseAddress", /is not an IPv4 address/],
  ["a malformed SSH CIDR", (e) => (e.legacy = { sshIngressCidrs: ["10.0.0.0/33"] }), "legacy.sshIngressCidrs[0]", /not an IPv4 CIDR/],
  // Settings the baseline allows only with a waiver
  ["SSH from anywhere without a waiver", (e) => (e.legacy = { sshIngressCidrs: ["0.0.0.0/0"] }), "legacy.sshIngressCidrs[0]", /opens SSH to the whole internet, which the security baseline forbids \(admin-ports-closed: .*add waivers\["admin-ports-closed"\] with the reason/],
  ["UDP to the load balancer without a waiver", (e) => (e.legacy = { loadBalancerUdpMediaIngress: true }), "legacy.loadBalancerUdpMediaIngress", /forbids \(no-udp-to-load-balancer/],
  ["an old TLS policy without a waiver", (e) => (e.loadBalancer.sslPolicy = "ELBSecurityPolicy-2016-08"), "loadBalancer.sslPolicy", /is not a current TLS policy .* forbids \(current-tls-policy/],
  ["EFS without transit encryption without a waiver", (e) => (e.jitsi.volumes[0].transitEncryption = false), "jitsi.volumes[0].transitEncryption", /clear text, which the security baseline forbids \(efs-transit-encryption/],
  ["IMDSv1 without a waiver", (e) => (e.capacity.requireImdsv2 = false), "capacity.requireImdsv2", /forbids \(imdsv2-required/],
  ["a production load balancer without deletion protection", (e) => Object.assign(e, { production: true, loadBalancer: { ...e.loadBalancer, deletionProtection: false } }), "loadBalancer.deletionProtection", /forbids \(production-deletion-protection/],
  ["production by default", (e) => { delete e.production; e.loadBalancer.deletionProtection = false; }, "loadBalancer.deletionProtection", /production is true unless the environment sets production: false/],
  ["a waiver of a rule that does not exist", (e) => untyped((e.waivers = {}), "no-ssh", WAIVER_REASON), 'waivers["no-ssh"]', /is not a rule of the security baseline; use one of admin-ports-closed/],
  ["a waiver of a rule that cannot be waived", (e) => untyped((e.waivers = {}), "no-literal-secrets", WAIVER_REASON), 'waivers["no-literal-secrets"]', /rule no-literal-secrets cannot be waived/],
  ["a waiver without a reason", (e) => Object.assign(e, { capacity: { ...e.capacity, requireImdsv2: false }, waivers: { "imdsv2-required": " " } }), 'waivers["imdsv2-required"]', /" " is not a reason; say in a sentence why/],
  ["a waiver that excuses nothing", (e) => (e.waivers = { "current-tls-policy": WAIVER_REASON }), 'waivers["current-tls-policy"]', /nothing in this environment breaks current-tls-policy, so there is nothing to waive; remove the waiver/],
];
