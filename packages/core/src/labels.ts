import { createHash } from 'node:crypto';

/** Kubernetes labels / annotations and AWS tags Tourniquet reads and writes. */
export const TOURNIQUET_LABELS = {
  /** Short incident id on every resource Tourniquet touches (label value ≤ 63 chars). */
  incident: 'tourniquet.io/incident',
  /** Selects quarantined pods for the deny-all NetworkPolicy. */
  quarantine: 'tourniquet.io/quarantine',
  /** Full incident key, as an annotation / tag (too long for a label). */
  incidentKey: 'tourniquet.io/incident-key',
  /** `true` exempts the resource from every action. */
  protect: 'tourniquet.io/protect',
} as const;

/** A stable label-safe id for an incident key: `tq-` + 16 hex characters. */
export function incidentLabel(incidentKey: string): string {
  return `tq-${createHash('sha256').update(incidentKey).digest('hex').slice(0, 16)}`;
}
