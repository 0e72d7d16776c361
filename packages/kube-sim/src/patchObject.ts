import { BadRequestError, UnsupportedMediaTypeError } from './errors';
import { applyJsonPatch } from './jsonPatch';
import { isJsonObject } from './kubeObject';
import { applyMergePatch } from './mergePatch';

export const PATCH_CONTENT_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

const ACCEPTED = Object.values(PATCH_CONTENT_TYPES);

// Directives that only order lists are harmless to drop; the others change meaning, so refuse
// them rather than silently merging differently from the real server.
const IGNORED_DIRECTIVE = /^\$(setElementOrder|retainKeys)/;

function stripStrategicDirectives(patch: unknown): unknown {
  if (Array.isArray(patch)) return patch.map(stripStrategicDirectives);
  if (!isJsonObject(patch)) return patch;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (IGNORED_DIRECTIVE.test(key)) continue;
    if (key.startsWith('$')) {
      throw new BadRequestError(
        `strategic merge patch directive ${key} is not supported by the simulator`,
      );
    }
    result[key] = stripStrategicDirectives(value);
  }
  return result;
}

export type PatchType = (typeof PATCH_CONTENT_TYPES)[keyof typeof PATCH_CONTENT_TYPES];

/** The patch type a Content-Type names; anything else (server-side apply too) is a 415. */
export function patchTypeOf(contentType: string): PatchType {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const found = ACCEPTED.find((accepted) => accepted === mediaType);
  if (!found) throw new UnsupportedMediaTypeError(mediaType, ACCEPTED);
  return found;
}

/** Applies a PATCH body as the API server's patcher does for that patch type. */
export function patchObject(current: unknown, body: unknown, type: PatchType): unknown {
  if (type === PATCH_CONTENT_TYPES.json) return applyJsonPatch(current, body);
  if (!isJsonObject(body)) throw new BadRequestError('merge patch body must be a JSON object');
  const patch = type === PATCH_CONTENT_TYPES.strategic ? stripStrategicDirectives(body) : body;
  return applyMergePatch(current, patch);
}
