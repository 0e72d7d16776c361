import type { ActionName } from '../actions';
import { PROTECT_MARKER, type TourniquetConfig } from '../config/config';
import type { Finding } from '../finding';
import { isAtLeast } from '../severity';
import { isNodeScoped, type Target } from './target';

/** A safety rail that removes some steps from a plan, with the reason the ticket will carry. */
export interface Guard {
  reason: string;
  /** An admin-set exemption (config, AWS tag): skipping for it pages on-call. */
  protected?: true;
  /** `target` is null when the step has no target for this finding. */
  covers: (action: ActionName, target: Target | null) => boolean;
}

const everythingButTicket = (action: ActionName) => action !== 'open-ticket';

/** The safety rails of DESIGN §6 that apply to this finding, strongest first. */
export function guardsFor(
  f: Finding,
  config: TourniquetConfig,
  unmanagedReason: string | null,
): Guard[] {
  const guards: Guard[] = [];
  if (unmanagedReason) {
    guards.push({
      reason: `${unmanagedReason}; Tourniquet does not act on it`,
      covers: everythingButTicket,
    });
  }
  if (!isAtLeast(f.severity, config.minimumSeverity)) {
    guards.push({
      reason: `severity ${f.severity} is below the ${config.minimumSeverity} threshold`,
      covers: everythingButTicket,
    });
  }
  if (f.pod && config.protectedNamespaces.includes(f.pod.namespace)) {
    guards.push({
      reason: `namespace ${f.pod.namespace} is protected; Tourniquet never isolates or labels its pods`,
      protected: true,
      covers: everythingButTicket,
    });
  }
  if (f.node && f.node.tags[PROTECT_MARKER.key] === PROTECT_MARKER.value) {
    guards.push({
      reason: `node ${f.node.instanceId} is tagged ${PROTECT_MARKER.key}=${PROTECT_MARKER.value}`,
      protected: true,
      covers: (_action, target) => target !== null && isNodeScoped(target),
    });
  }
  return guards;
}
