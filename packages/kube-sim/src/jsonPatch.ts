import { BadRequestError, PatchNotApplicableError } from './errors';
import { pointerSegments } from './fieldPath';
import { isJsonObject, stableStringify } from './kubeObject';

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

function decode(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) {
    throw new BadRequestError(
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  }
  return patch.map((operation, index) => {
    if (!isJsonObject(operation) || !OPS.has(String(operation.op))) {
      throw new BadRequestError(
        `Unexpected kind: ${String(isJsonObject(operation) ? operation.op : operation)} (operation ${index})`,
      );
    }
    if (
      typeof operation.path !== 'string' ||
      (operation.path !== '' && !operation.path.startsWith('/'))
    ) {
      throw new BadRequestError(`operation ${index} (${String(operation.op)}) has no valid "path"`);
    }
    const needsFrom = operation.op === 'move' || operation.op === 'copy';
    if (needsFrom && typeof operation.from !== 'string') {
      throw new BadRequestError(`operation ${index} (${String(operation.op)}) has no valid "from"`);
    }
    const needsValue =
      operation.op === 'add' || operation.op === 'replace' || operation.op === 'test';
    if (needsValue && !Object.hasOwn(operation, 'value')) {
      throw new BadRequestError(`operation ${index} (${String(operation.op)}) is missing "value"`);
    }
    return operation as unknown as Operation;
  });
}

type Container = Record<string, unknown> | unknown[];

/** The parent container of a pointer and the last segment, or an error naming the pointer. */
function locate(
  document: unknown,
  pointer: string,
  op: string,
): { parent: Container; key: string } {
  const segments = pointerSegments(pointer);
  const key = segments.pop();
  let parent: unknown = document;
  for (const segment of segments) {
    parent = Array.isArray(parent)
      ? parent[Number(segment)]
      : isJsonObject(parent)
        ? parent[segment]
        : undefined;
  }
  if (key === undefined || (!Array.isArray(parent) && !isJsonObject(parent))) {
    throw new PatchNotApplicableError(
      `${op} operation does not apply: doc is missing path: "${pointer}"`,
    );
  }
  return { parent, key };
}

function arrayIndex(
  array: unknown[],
  key: string,
  pointer: string,
  op: string,
  forInsert: boolean,
): number {
  if (forInsert && key === '-') return array.length;
  const index = /^(0|[1-9]\d*)$/.test(key) ? Number(key) : Number.NaN;
  const limit = forInsert ? array.length : array.length - 1;
  if (Number.isNaN(index) || index > limit) {
    throw new PatchNotApplicableError(
      `${op} operation does not apply: index out of range at "${pointer}"`,
    );
  }
  return index;
}

function read(document: unknown, pointer: string, op: string): unknown {
  if (pointer === '') return document;
  const { parent, key } = locate(document, pointer, op);
  if (Array.isArray(parent)) return parent[arrayIndex(parent, key, pointer, op, false)];
  if (!Object.hasOwn(parent, key)) {
    throw new PatchNotApplicableError(
      `${op} operation does not apply: doc is missing key: "${pointer}"`,
    );
  }
  return parent[key];
}

function add(document: unknown, pointer: string, value: unknown, op: string): unknown {
  if (pointer === '') return value;
  const { parent, key } = locate(document, pointer, op);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, op, true), 0, value);
  else parent[key] = value;
  return document;
}

function remove(document: unknown, pointer: string, op: string): unknown {
  const { parent, key } = locate(document, pointer, op);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, op, false), 1);
  else {
    read(document, pointer, op);
    delete parent[key];
  }
  return document;
}

/** RFC 6902 JSON patch, applied to a copy; every operation or none. */
export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  let document = structuredClone(target);
  for (const operation of decode(patch)) {
    const { op, path } = operation;
    switch (op) {
      case 'add':
        document = add(document, path, structuredClone(operation.value), op);
        break;
      case 'remove':
        document = remove(document, path, op);
        break;
      case 'replace':
        read(document, path, op);
        if (path === '') {
          document = structuredClone(operation.value);
          break;
        }
        document = add(remove(document, path, op), path, structuredClone(operation.value), op);
        break;
      case 'move': {
        const value = read(document, operation.from as string, op);
        document = add(remove(document, operation.from as string, op), path, value, op);
        break;
      }
      case 'copy':
        document = add(
          document,
          path,
          structuredClone(read(document, operation.from as string, op)),
          op,
        );
        break;
      case 'test':
        if (stableStringify(read(document, path, op)) !== stableStringify(operation.value)) {
          throw new PatchNotApplicableError(`testing value ${path} failed: test failed`);
        }
        break;
    }
  }
  return document;
}
