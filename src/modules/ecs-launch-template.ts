import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { ecsUserData } from "./ecs-user-data";

/** AWS's public parameter naming the current ECS-optimized Amazon Linux 2023 AMI of the region. */
export const ECS_OPTIMIZED_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";

/**
 * The launch template's reference to that parameter: EC2 resolves it at every launch,
 * so a plan needs no AWS lookup and new instances get the AMI current at their launch.
 */
export const ECS_OPTIMIZED_IMAGE = `resolve:ssm:${ECS_OPTIMIZED_AMI_PARAMETER}`;

/** Size of the ECS-optimized Amazon Linux 2023 AMI's root snapshot; a smaller root volume fails at launch. */
export const ECS_OPTIMIZED_ROOT_SNAPSHOT_GIB = 30;

const DEFAULT_ROOT_DEVICE_NAME = "/dev/xvda";
// Containers in bridge mode are one network hop behind the instance: with a limit of 1 no IMDSv2 token reaches them.
export const DEFAULT_METADATA_HOP_LIMIT = 1;
const MAX_GP3_GIB = 16384;

/** The instances' root volume: always gp3 and encrypted. */
export interface EcsRootVolume {
  /**
   * Size in GiB; at least the AMI's snapshot.
   * @default - the AMI's snapshot size (30 GiB for the ECS-optimized Amazon Linux 2023 AMI)
   */
  readonly sizeGiB?: number;
  /**
   * The AMI's root device name. Another name adds a second volume and leaves the root as the AMI has it.
   * @default "/dev/xvda" - the root device of the Amazon Linux ECS-optimized AMIs
   */
  readonly deviceName?: string;
  /**
   * KMS key (ID or ARN) that encrypts the volume.
   * @default - the account's default EBS key (`aws/ebs`)
   */
  readonly kmsKeyId?: string;
}

export interface EcsLaunchTemplateProps {
  /** ECS cluster the instances join (through `ecsUserData`). */
  readonly clusterName: string;
  /**
   * An AMI ID (`ami-…`) or an SSM reference (`resolve:ssm:<parameter>`).
   * @default ECS_OPTIMIZED_IMAGE - the ECS-optimized Amazon Linux 2023 AMI current at each launch
   */
  readonly imageId?: string;
  readonly instanceType: string;
  /** @default - no key pair */
  readonly keyName?: string;
  readonly instanceProfileName: string;
  /** Security groups of the instances' network interface. */
  readonly securityGroupIds: readonly string[];
  /**
   * Give each instance a public IPv4 address. The JVB's UDP media reaches the instance directly at it.
   * @default true
   */
  readonly associatePublicIpAddress?: boolean;
  /** @default - gp3, encrypted with the default EBS key, the AMI's size and root device */
  readonly rootVolume?: EcsRootVolume;
  /**
   * Network hops an IMDSv2 token response may travel (1 to 64).
   * @default 1 - the instance only: containers in bridge mode get no token (with the user data's host rule, no answer at all)
   */
  readonly metadataHopLimit?: number;
  /**
   * One-minute EC2 metrics, as the legacy launch configuration's default had them; CPU scaling reacts on them.
   * @default true
   */
  readonly detailedMonitoring?: boolean;
  /**
   * Tags on the instances and volumes launched (the provider's default tags reach only the template itself).
   * @default - none
   */
  readonly instanceTags?: Readonly<Record<string, string>>;
  /**
   * Prefix of the template's name; Terraform appends a unique suffix, so a replacement can exist beside the old one.
   * @default - a name Terraform generates (`terraform-…`)
   */
  readonly namePrefix?: string;
}

const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SSM_REFERENCE = /^resolve:ssm:\S+$/;

function fail(field: string, value: unknown, problemAndFix: string): never {
  throw new Error(`${field}: ${JSON.stringify(value)} ${problemAndFix}.`);
}

function checkWholeNumber(field: string, value: number | undefined, min: number, max: number, fix: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) fail(field, value, `is not a whole number from ${min} to ${max}; ${fix}`);
}

/**
 * A launch template for ECS container instances: IMDSv2 required, an encrypted gp3
 * root volume, the ECS user data, the instance profile and a network interface
 * with a public IP and the instances' security groups. Without an AMI it names
 * AWS's public SSM parameter, which EC2 resolves at launch. Accounts created since
 * 2024-10-01 can no longer create launch configurations; they can create this.
 */
export class EcsLaunchTemplate extends Construct {
  public readonly launchTemplateId: string;
  /** The newest version; a group launching `latestVersion` follows every change of the template. */
  public readonly latestVersion: string;

  constructor(scope: Construct, id: string, props: EcsLaunchTemplateProps) {
    super(scope, id);
    const imageId = props.imageId ?? ECS_OPTIMIZED_IMAGE;
    if (!Token.isUnresolved(imageId) && !AMI_ID.test(imageId) && !SSM_REFERENCE.test(imageId)) {
      fail(
        "imageId",
        imageId,
        "is neither an AMI ID (ami- and 8 or 17 hex digits) nor an SSM reference (resolve:ssm:<parameter>); " +
          "give one of them, or leave imageId out for the ECS-optimized Amazon Linux 2023 AMI",
      );
    }
    if (props.securityGroupIds.length === 0) {
      fail("securityGroupIds", props.securityGroupIds, "is empty; give the instances' security group, or they would get the VPC's default group");
    }
    const rootVolume = props.rootVolume ?? {};
    const minimumSize = props.imageId === undefined ? ECS_OPTIMIZED_ROOT_SNAPSHOT_GIB : 1;
    checkWholeNumber(
      "rootVolume.sizeGiB",
      rootVolume.sizeGiB,
      minimumSize,
      MAX_GP3_GIB,
      props.imageId === undefined
        ? `the ECS-optimized AMI's root snapshot is ${ECS_OPTIMIZED_ROOT_SNAPSHOT_GIB} GiB; give at least that, or leave it out`
        : "give at least the AMI's root snapshot size, or leave it out",
    );
    const deviceName = rootVolume.deviceName ?? DEFAULT_ROOT_DEVICE_NAME;
    if (!Token.isUnresolved(deviceName) && !/^\/dev\/[a-z0-9]+$/.test(deviceName)) {
      fail("rootVolume.deviceName", deviceName, "is not a device name; use the AMI's root device, e.g. /dev/xvda");
    }
    const hopLimit = props.metadataHopLimit ?? DEFAULT_METADATA_HOP_LIMIT;
    checkWholeNumber("metadataHopLimit", hopLimit, 1, 64, "use 1, which keeps containers from the instance role's credentials");

    const instanceTags = props.instanceTags ?? {};
    const tagged = Object.keys(instanceTags).length > 0;
    const template = new LaunchTemplate(this, "Default", {
      namePrefix: props.namePrefix,
      description: `ECS container instances of ${props.clusterName}`,
      imageId,
      instanceType: props.instanceType,
      keyName: props.keyName,
      iamInstanceProfile: { name: props.instanceProfileName },
      // Launch templates take user data base64-encoded; with the host rule that cuts containers off the metadata service.
      userData: Fn.base64encode(ecsUserData(props.clusterName, { blockContainerMetadata: true })),
      // IMDSv1 answers any process that can make a GET, e.g. through a server-side request forgery.
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: hopLimit,
      },
      blockDeviceMappings: [
        {
          deviceName,
          ebs: {
            volumeType: "gp3",
            volumeSize: rootVolume.sizeGiB,
            encrypted: "true",
            kmsKeyId: rootVolume.kmsKeyId,
            deleteOnTermination: "true",
          },
        },
      ],
      networkInterfaces: [
        {
          deviceIndex: 0,
          associatePublicIpAddress: String(props.associatePublicIpAddress ?? true),
          securityGroups: [...props.securityGroupIds],
          deleteOnTermination: "true",
        },
      ],
      monitoring: { enabled: props.detailedMonitoring ?? true },
      tagSpecifications: tagged
        ? [
            { resourceType: "instance", tags: { ...instanceTags } },
            { resourceType: "volume", tags: { ...instanceTags } },
          ]
        : undefined,
      // A replaced template (e.g. a new name prefix) must exist before the group lets go of the old one.
      lifecycle: { createBeforeDestroy: true },
    });
    this.launchTemplateId = template.id;
    this.latestVersion = Token.asString(template.latestVersion);
  }
}
