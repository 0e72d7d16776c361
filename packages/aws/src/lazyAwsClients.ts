import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { AwsClientOverrides, AwsClients } from './awsClients';
import { awsClientConfig } from './clientConfig';

/**
 * The SDK client classes a function may use. An action's Lambda passes only the ones its action
 * calls: a class that is not imported is not bundled, which is most of a cold start.
 */
export interface AwsClientClasses {
  ec2?: typeof EC2Client;
  iam?: typeof IAMClient;
  eks?: typeof EKSClient;
  autoscaling?: typeof AutoScalingClient;
}

const CLASS_NAMES: Record<keyof AwsClientClasses, string> = {
  ec2: 'EC2Client',
  iam: 'IAMClient',
  eks: 'EKSClient',
  autoscaling: 'AutoScalingClient',
};

/**
 * AwsClients whose clients are constructed on first use, from the given classes only. Using a
 * client whose class was not given is a wiring mistake in the function's entry point, reported
 * as such rather than as an undefined property deep inside an action.
 */
export function lazyAwsClients(
  region: string,
  classes: AwsClientClasses,
  options: { owner: string; overrides?: AwsClientOverrides; wrap?: <C>(client: C) => C } = {
    owner: 'this function',
  },
): AwsClients {
  const { overrides = {}, wrap = <C>(client: C) => client } = options;
  const config = {
    ...awsClientConfig({ region, endpoint: overrides.endpoint }),
    ...(overrides.credentials ? { credentials: overrides.credentials } : {}),
    ...(overrides.retryStrategy ? { retryStrategy: overrides.retryStrategy } : {}),
  };
  const built = new Map<string, unknown>();
  const classOf = <K extends keyof AwsClientClasses>(kind: K) => {
    const Class = classes[kind];
    if (!Class) {
      throw new Error(
        `${options.owner} was built without ${CLASS_NAMES[kind]}: pass it in its entry point's clients`,
      );
    }
    return Class as NonNullable<AwsClientClasses[K]>;
  };
  const once = <T>(name: string, make: () => T): T => {
    if (!built.has(name)) built.set(name, wrap(make()));
    return built.get(name) as T;
  };
  const { retryStrategy: _ignored, ...withoutRetryStrategy } = config;
  return {
    region,
    get ec2() {
      return once('ec2', () => new (classOf('ec2'))(config));
    },
    // A configured retry strategy would override `maxAttempts: 1`: the one-shot client drops it.
    get ec2Once() {
      return once(
        'ec2Once',
        () => new (classOf('ec2'))({ ...withoutRetryStrategy, maxAttempts: 1 }),
      );
    },
    get iam() {
      return once('iam', () => new (classOf('iam'))(config));
    },
    get eks() {
      return once('eks', () => new (classOf('eks'))(config));
    },
    get autoscaling() {
      return once('autoscaling', () => new (classOf('autoscaling'))(config));
    },
  };
}
