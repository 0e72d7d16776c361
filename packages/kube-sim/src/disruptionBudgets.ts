import { KubeApiError, TooManyRequestsError } from './errors';
import { isJsonObject, type JsonObject, type KubeObject } from './kubeObject';
import { matchesLabels, selectorFromObject } from './labelSelector';
import { serverTimestamp } from './objectLifecycle';
import type { ObjectStore } from './objectStore';
import { DISRUPTION_BUDGETS } from './resourceDefinitions';

const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";
const RETRY_AFTER_SECONDS = 10;

function isTerminal(pod: KubeObject): boolean {
  const phase = isJsonObject(pod.status) ? pod.status.phase : undefined;
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * The eviction subresource's budget check (policy/v1): at most one budget may select the pod,
 * its status must be current and allow a disruption, and the eviction uses that disruption up.
 * Status comes from seeds or writes to `/status`, since no disruption controller runs here.
 */
export function consumeDisruption(store: ObjectStore, pod: KubeObject, dryRun: boolean): void {
  if (isTerminal(pod)) return;
  const labels = pod.metadata.labels as Record<string, unknown> | undefined;
  const budgets = store
    .list(DISRUPTION_BUDGETS, pod.metadata.namespace ?? null)
    .filter((budget) => {
      const selector = selectorFromObject(
        isJsonObject(budget.spec) ? budget.spec.selector : undefined,
      );
      return selector !== null && matchesLabels(selector, labels);
    });
  if (budgets.length > 1) {
    throw new KubeApiError(
      500,
      'InternalError',
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  }
  const budget = budgets[0];
  if (!budget) return;
  const name = budget.metadata.name;
  const status: JsonObject = isJsonObject(budget.status) ? budget.status : {};
  const observed = Number(status.observedGeneration ?? 0);
  if (observed < Number(budget.metadata.generation ?? 0)) {
    throw new TooManyRequestsError(
      VIOLATION,
      [
        {
          reason: 'DisruptionBudget',
          message: `The disruption budget ${name} is still being processed by the server.`,
        },
      ],
      RETRY_AFTER_SECONDS,
    );
  }
  const allowed = Number(status.disruptionsAllowed ?? 0);
  if (allowed <= 0) {
    const message = `The disruption budget ${name} needs ${Number(status.desiredHealthy ?? 0)} healthy pods and has ${Number(status.currentHealthy ?? 0)} currently`;
    throw new TooManyRequestsError(
      VIOLATION,
      [{ reason: 'DisruptionBudget', message }],
      RETRY_AFTER_SECONDS,
    );
  }
  if (dryRun) return;
  const disruptedPods = isJsonObject(status.disruptedPods) ? status.disruptedPods : {};
  disruptedPods[pod.metadata.name] = serverTimestamp();
  budget.status = { ...status, disruptionsAllowed: allowed - 1, disruptedPods };
  store.write(DISRUPTION_BUDGETS, budget);
}
