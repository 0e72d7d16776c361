import { DescribeIamInstanceProfileAssociationsCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from '@tourniquet/aws';

/** The instance profile ARN an instance holds now (the association EC2 reports in force). */
export async function profileOf(aws: AwsClients, instanceId: string): Promise<string | null> {
  const { IamInstanceProfileAssociations = [] } = await aws.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({
      Filters: [
        { Name: 'instance-id', Values: [instanceId] },
        { Name: 'state', Values: ['associating', 'associated'] },
      ],
    }),
  );
  return IamInstanceProfileAssociations[0]?.IamInstanceProfile?.Arn ?? null;
}
