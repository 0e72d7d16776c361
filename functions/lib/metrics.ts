import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DimensionedMetric, MetricDimensions, PlainMetric } from '@tourniquet/core';

/** One occurrence of a metric that has no dimensions of its own (only `service`). */
export function count(metrics: Metrics, metric: PlainMetric): void {
  metrics.addMetric(metric, MetricUnit.Count, 1);
}

/**
 * One occurrence of a metric with its dimensions (METRICS in core). Emitted on its own: a
 * dimension added to the shared instance would also key every other metric of the invocation.
 */
export function countBy<M extends DimensionedMetric>(
  metrics: Metrics,
  metric: M,
  dimensions: Record<MetricDimensions<M>, string>,
): void {
  const single = metrics.singleMetric();
  for (const [name, value] of Object.entries(dimensions) as Array<[string, string]>)
    single.addDimension(name, value || 'none');
  single.addMetric(metric, MetricUnit.Count, 1);
}
