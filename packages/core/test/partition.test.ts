import { describe, expect, it } from 'vitest';
import { partitionNamed, partitionOf, serviceHost } from '../src';

describe('AWS partitions', () => {
  it('names the partition of a region for its ARNs', () => {
    expect(partitionOf('us-east-1').name).toBe('aws');
    expect(partitionOf('eu-central-2').name).toBe('aws');
    expect(partitionOf('cn-north-1').name).toBe('aws-cn');
    expect(partitionOf('cn-northwest-1').name).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1').name).toBe('aws-us-gov');
    expect(partitionOf('us-gov-east-1').name).toBe('aws-us-gov');
  });

  it('builds service hosts with the partition DNS suffix', () => {
    expect(serviceHost('sts', 'us-west-2')).toBe('sts.us-west-2.amazonaws.com');
    expect(serviceHost('sts', 'cn-northwest-1')).toBe('sts.cn-northwest-1.amazonaws.com.cn');
    expect(serviceHost('dynamodb', 'us-gov-east-1')).toBe('dynamodb.us-gov-east-1.amazonaws.com');
  });

  it("knows where each partition's global STS endpoint logs", () => {
    expect(partitionOf('eu-west-1').globalStsRegion).toBe('us-east-1');
    expect(partitionOf('cn-northwest-1').globalStsRegion).toBe('cn-north-1');
    expect(partitionOf('us-gov-east-1').globalStsRegion).toBe('us-gov-west-1');
  });

  it('looks a partition up by its ARN name, refusing an unknown one', () => {
    expect(partitionNamed('aws-cn').dnsSuffix).toBe('amazonaws.com.cn');
    expect(partitionNamed('aws-us-gov').globalStsRegion).toBe('us-gov-west-1');
    expect(() => partitionNamed('aws-iso-x')).toThrow('"aws-iso-x" is not an AWS partition');
  });

  it('refuses what is not a region name, naming it', () => {
    expect(() => partitionOf('useast1')).toThrow('"useast1" is not an AWS region name');
    expect(() => partitionOf('')).toThrow('is not an AWS region name');
  });
});
