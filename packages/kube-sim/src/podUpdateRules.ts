import type { StatusCause } from './errors';
import { isJsonObject, type JsonObject, stableStringify } from './kubeObject';

const FORBIDDEN_MESSAGE =
  'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** The spec with the fields an update may change taken out. */
function comparableSpec(spec: JsonObject, previous: JsonObject): JsonObject {
  const copy = structuredClone(spec);
  for (const list of [copy.containers, copy.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const container of list) if (isJsonObject(container)) delete container.image;
  }
  delete copy.activeDeadlineSeconds;
  delete copy.tolerations;
  if (
    typeof previous.terminationGracePeriodSeconds === 'number' &&
    previous.terminationGracePeriodSeconds < 0
  ) {
    delete copy.terminationGracePeriodSeconds;
  }
  return copy;
}

function tolerationsRemoved(before: unknown, after: unknown): boolean {
  const kept = new Set(Array.isArray(after) ? after.map(stableStringify) : []);
  return (
    Array.isArray(before) && before.some((toleration) => !kept.has(stableStringify(toleration)))
  );
}

/**
 * A pod's spec is immutable apart from a few fields; the real server refuses everything else
 * with 422, which is why containment labels pods and never edits their spec.
 */
export function podUpdateProblems(before: JsonObject, after: JsonObject): StatusCause[] {
  const oldSpec = isJsonObject(before.spec) ? before.spec : {};
  const newSpec = isJsonObject(after.spec) ? after.spec : {};
  const changed =
    stableStringify(comparableSpec(oldSpec, oldSpec)) !==
      stableStringify(comparableSpec(newSpec, oldSpec)) ||
    tolerationsRemoved(oldSpec.tolerations, newSpec.tolerations);
  return changed
    ? [{ reason: 'FieldValueForbidden', field: 'spec', message: FORBIDDEN_MESSAGE }]
    : [];
}
