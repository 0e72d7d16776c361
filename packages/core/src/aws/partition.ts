/**
 * The AWS partition a region belongs to, and what differs per partition: the ARN prefix, the
 * DNS suffix of service endpoints, and the region that logs calls to the partition's global
 * STS endpoint. Derived from the region name, which is how the SDK's own endpoint rules
 * (partitions.json) recognise a partition: `cn-*` is aws-cn, `us-gov-*` is aws-us-gov.
 */
export interface Partition {
  /** The ARN partition: `arn:<partition>:…`. */
  name: 'aws' | 'aws-cn' | 'aws-us-gov';
  /** Service endpoints are `<service>.<region>.<dnsSuffix>`. */
  dnsSuffix: string;
  /** Where CloudTrail logs calls to the partition's global STS endpoint. */
  globalStsRegion: string;
}

const PARTITIONS: Record<Partition['name'], Partition> = {
  aws: { name: 'aws', dnsSuffix: 'amazonaws.com', globalStsRegion: 'us-east-1' },
  'aws-cn': { name: 'aws-cn', dnsSuffix: 'amazonaws.com.cn', globalStsRegion: 'cn-north-1' },
  'aws-us-gov': {
    name: 'aws-us-gov',
    dnsSuffix: 'amazonaws.com',
    globalStsRegion: 'us-gov-west-1',
  },
};

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d+$/;

export function partitionOf(region: string): Partition {
  if (!REGION.test(region))
    throw new Error(`${JSON.stringify(region)} is not an AWS region name (e.g. us-east-1)`);
  if (region.startsWith('cn-')) return PARTITIONS['aws-cn'];
  if (region.startsWith('us-gov-')) return PARTITIONS['aws-us-gov'];
  return PARTITIONS.aws;
}

/** `<service>.<region>.<dnsSuffix>`: the regional endpoint host of a service. */
export function serviceHost(service: string, region: string): string {
  return `${service}.${region}.${partitionOf(region).dnsSuffix}`;
}

/** A partition by its ARN name (`aws`, `aws-cn`, `aws-us-gov`). */
export function partitionNamed(name: string): Partition {
  const partition = (PARTITIONS as Record<string, Partition | undefined>)[name];
  if (!partition)
    throw new Error(
      `${JSON.stringify(name)} is not an AWS partition (expected ${Object.keys(PARTITIONS).join(', ')})`,
    );
  return partition;
}
