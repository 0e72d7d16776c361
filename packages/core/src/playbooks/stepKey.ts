import type { ActionName } from '../actions';

/** JSONPath-safe key for an action (`label-pod` → `labelPod`): JSONPath dot notation has no hyphens. */
export function stepKey(action: ActionName): string {
  return action.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
