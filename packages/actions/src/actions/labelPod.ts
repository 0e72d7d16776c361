import type { V1Pod } from '@kubernetes/client-node';
import { incidentLabel, TOURNIQUET_LABELS } from '@tourniquet/core';
import { defineAction } from '../defineAction';
import { notApplicable, resolvePod } from '../resolve';
import { podTarget } from '../targets';

interface Saved {
  label: string | null;
  annotation: string | null;
}

function wanted(incidentKey: string) {
  return { label: incidentLabel(incidentKey), annotation: incidentKey };
}

function current(pod: V1Pod): Saved {
  return {
    label: pod.metadata?.labels?.[TOURNIQUET_LABELS.incident] ?? null,
    annotation: pod.metadata?.annotations?.[TOURNIQUET_LABELS.incidentKey] ?? null,
  };
}

export const labelPod = defineAction({
  name: 'label-pod',
  description:
    'Label and annotate the pod with the incident, as an evidence marker. Never destructive.',
  params: podTarget,
  permissions: { iam: [], kubernetes: ['get,patch pods', 'get namespaces'] },
  example: { kind: 'pod', namespace: 'payments', name: 'payments-api-7d9f8b6c5-x2kqp', uid: null },
  async check(ctx, params) {
    const pod = await resolvePod(ctx, params);
    return 'skip' in pod ? notApplicable(pod) : { ok: true, state: current(pod.value) };
  },
  plan(state, ctx) {
    const want = wanted(ctx.incidentKey);
    const changes: string[] = [];
    if (state.label !== want.label)
      changes.push(`label ${TOURNIQUET_LABELS.incident}=${want.label}`);
    if (state.annotation !== want.annotation)
      changes.push(`annotate ${TOURNIQUET_LABELS.incidentKey}`);
    return changes;
  },
  satisfied: () => 'pod already labelled with this incident',
  before: (state) => state,
  async execute(ctx, params) {
    const want = wanted(ctx.incidentKey);
    await (await ctx.kube()).patchPodMetadata(params.namespace, params.name, {
      labels: { [TOURNIQUET_LABELS.incident]: want.label },
      annotations: { [TOURNIQUET_LABELS.incidentKey]: want.annotation },
    });
    return { detail: `labelled ${TOURNIQUET_LABELS.incident}=${want.label}` };
  },
  /** Only a label and annotation that still name this incident are put back. */
  async restore(ctx, subject, before: Saved) {
    const kube = await ctx.kube();
    const pod = await kube.readPod(subject.namespace, subject.name);
    if (!pod || (subject.uid && pod.metadata?.uid !== subject.uid)) return [];
    const now = current(pod);
    const want = wanted(ctx.incidentKey);
    const labels: Record<string, string | null> = {};
    const annotations: Record<string, string | null> = {};
    if (now.label === want.label) labels[TOURNIQUET_LABELS.incident] = before.label;
    if (now.annotation === want.annotation)
      annotations[TOURNIQUET_LABELS.incidentKey] = before.annotation;
    if (Object.keys(labels).length + Object.keys(annotations).length === 0) return [];
    await kube.patchPodMetadata(subject.namespace, subject.name, { labels, annotations });
    return [`restored the incident label and annotation of ${subject.namespace}/${subject.name}`];
  },
});
