import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Node } from 'kubernetes-models/v1/Node';
import { Pod } from 'kubernetes-models/v1/Pod';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { InvalidError, type StatusCause } from './errors';
import { fieldPath, pointerSegments, quoteValue, valueAt } from './fieldPath';
import { isJsonObject, type KubeObject } from './kubeObject';
import { metadataMapProblems, nameProblems } from './metadataValidation';
import type { ResourceDefinition } from './resourceDefinitions';
import { SecurityGroupPolicySpecSchema } from './securityGroupPolicySchema';

/** The part of an ajv error the kubernetes-models validators throw that names the field. */
interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

type Validator = (object: KubeObject) => StatusCause[];

// Built-in kinds are checked against the OpenAPI schema compiled into kubernetes-models.
function modelValidator(build: (object: KubeObject) => { validate(): void }): Validator {
  return (object) => {
    try {
      build(object).validate();
      return [];
    } catch (error) {
      const errors = (error as { errors?: SchemaError[] }).errors;
      if (!Array.isArray(errors)) throw error;
      return errors.map((schemaError) => schemaCause(object, schemaError));
    }
  };
}

function schemaCause(object: KubeObject, error: SchemaError): StatusCause {
  const segments = pointerSegments(error.instancePath);
  if (error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    return {
      reason: 'FieldValueRequired',
      field: fieldPath([...segments, missing]),
      message: 'Required value',
    };
  }
  const field = fieldPath(segments);
  const value = quoteValue(valueAt(object, segments));
  if (error.keyword === 'type') {
    return {
      reason: 'FieldValueTypeInvalid',
      field,
      message: `Invalid value: ${value}: must be of type ${String(error.params.type)}`,
    };
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
    return {
      reason: 'FieldValueNotSupported',
      field,
      message: `Unsupported value: ${value}: supported values: ${allowed.join(', ')}`,
    };
  }
  return {
    reason: 'FieldValueInvalid',
    field,
    message: `Invalid value: ${value}: ${error.message}`,
  };
}

const validateSecurityGroupPolicy: Validator = (object) => {
  if (object.spec === undefined) {
    return [{ reason: 'FieldValueRequired', field: 'spec', message: 'Required value' }];
  }
  const result = SecurityGroupPolicySpecSchema.safeParse(object.spec);
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const segments = ['spec', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const value = valueAt(object, segments);
    return value === undefined && issue.path.length > 0
      ? { reason: 'FieldValueRequired', field: fieldPath(segments), message: 'Required value' }
      : {
          reason: 'FieldValueInvalid',
          field: fieldPath(segments),
          message: `Invalid value: ${quoteValue(value)}: ${issue.message}`,
        };
  });
};

type Data<T extends abstract new (data: never) => unknown> = ConstructorParameters<T>[0];

const VALIDATORS: Readonly<Record<string, Validator>> = {
  Pod: modelValidator((o) => new Pod(o as Data<typeof Pod>)),
  Node: modelValidator((o) => new Node(o as Data<typeof Node>)),
  Namespace: modelValidator((o) => new Namespace(o as Data<typeof Namespace>)),
  ServiceAccount: modelValidator((o) => new ServiceAccount(o as Data<typeof ServiceAccount>)),
  NetworkPolicy: modelValidator((o) => new NetworkPolicy(o as Data<typeof NetworkPolicy>)),
  PodDisruptionBudget: modelValidator(
    (o) => new PodDisruptionBudget(o as Data<typeof PodDisruptionBudget>),
  ),
  SecurityGroupPolicy: validateSecurityGroupPolicy,
};

/** Every reason the server would refuse this object with 422 Invalid. */
export function objectProblems(resource: ResourceDefinition, object: KubeObject): StatusCause[] {
  const causes = [...nameProblems(object.metadata.name, resource.kind === 'Namespace')];
  if (isJsonObject(object.metadata)) causes.push(...metadataMapProblems(object.metadata));
  causes.push(...(VALIDATORS[resource.kind]?.(object) ?? []));
  // ajv reports some fields twice (once per failing branch); the server names each field once.
  const seen = new Set<string>();
  return causes.filter((cause) => {
    const key = `${cause.field}\u0000${cause.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Throws the 422 Invalid the API server would answer with. */
export function assertValidObject(resource: ResourceDefinition, object: KubeObject): void {
  const causes = objectProblems(resource, object);
  if (causes.length > 0) throw new InvalidError(resource, object.metadata.name, causes);
}
