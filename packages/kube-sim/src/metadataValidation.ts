import type { StatusCause } from './errors';
import { quoteValue } from './fieldPath';
import { isJsonObject, type JsonObject } from './kubeObject';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const SUBDOMAIN_HINT =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_HINT =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const KEY_HINT =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_HINT =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function invalid(field: string, value: unknown, why: string): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    field,
    message: `Invalid value: ${quoteValue(value)}: ${why}`,
  };
}

/** Namespaces are DNS labels; every other name the simulator serves is a DNS subdomain. */
export function nameProblems(name: string, isNamespace: boolean): StatusCause[] {
  if (isNamespace) {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      return [invalid('metadata.name', name, LABEL_HINT)];
    }
    return [];
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return [invalid('metadata.name', name, SUBDOMAIN_HINT)];
  }
  return [];
}

/** `prefix/name` keys as used by labels and annotations. */
function keyProblems(field: string, key: string): StatusCause[] {
  const parts = key.split('/');
  const name = parts.length === 2 ? parts[1] : parts[0];
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (parts.length > 2 || name === undefined || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return [invalid(field, key, KEY_HINT)];
  }
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return [invalid(field, key, `prefix part ${SUBDOMAIN_HINT}`)];
  }
  return [];
}

/** Label and annotation keys, and label values (type errors are left to the schema check). */
export function metadataMapProblems(metadata: JsonObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const labels = metadata.labels;
  if (isJsonObject(labels)) {
    for (const [key, value] of Object.entries(labels)) {
      causes.push(...keyProblems('metadata.labels', key));
      if (typeof value === 'string' && (value.length > 63 || !LABEL_VALUE.test(value))) {
        causes.push(invalid('metadata.labels', value, VALUE_HINT));
      }
    }
  }
  const annotations = metadata.annotations;
  if (isJsonObject(annotations)) {
    for (const key of Object.keys(annotations)) {
      causes.push(...keyProblems('metadata.annotations', key.toLowerCase()));
    }
  }
  return causes;
}
