import { BadRequestError } from './errors';
import { isJsonObject, type KubeObject } from './kubeObject';
import type { ResourceDefinition } from './resourceDefinitions';

interface FieldRequirement {
  field: string;
  value: string;
  equal: boolean;
}

export type FieldSelector = readonly FieldRequirement[];

/** Splits on a separator that is not escaped with a backslash (`\\,`), dropping the escapes. */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (char === separator) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function parseTerm(term: string, resource: ResourceDefinition): FieldRequirement {
  const match = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
  if (!match?.[1] || match[3] === undefined) {
    throw new BadRequestError(`invalid selector: '${term}'; can't understand '${term}'`);
  }
  const field = match[1].trim();
  if (!Object.hasOwn(resource.fieldLabels, field)) {
    throw new BadRequestError(`field label not supported: ${field}`);
  }
  return { field, value: match[3], equal: match[2] !== '!=' };
}

/** Parses `fieldSelector`; only the fields the real server indexes for this resource are allowed. */
export function parseFieldSelector(
  text: string | null,
  resource: ResourceDefinition,
): FieldSelector {
  if (text === null || text.trim() === '') return [];
  // Field names never contain '=' or '!', so an unescaped value still splits at the first operator.
  return splitUnescaped(text, ',').map((term) => parseTerm(term, resource));
}

function fieldValue(object: KubeObject, field: string, fallback: string): string {
  let current: unknown = object;
  for (const segment of field.split('.')) {
    current = isJsonObject(current) ? current[segment] : undefined;
  }
  if (current === undefined || current === null) return fallback;
  return String(current);
}

export function matchesFields(
  selector: FieldSelector,
  object: KubeObject,
  resource: ResourceDefinition,
): boolean {
  return selector.every(({ field, value, equal }) => {
    const actual = fieldValue(object, field, resource.fieldLabels[field] ?? '');
    return (actual === value) === equal;
  });
}
