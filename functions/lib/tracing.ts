import type { MiddlewareObj } from '@middy/core';
import type { XRayTracer } from '@tourniquet/aws';

/**
 * The middy middleware tracing each invocation: its `## <handler>` subsegment opens before the
 * handler and is sent when it returns or throws (packages/aws/src/xray/xrayTracer.ts).
 */
export function traceInvocations(t: XRayTracer): MiddlewareObj {
  return {
    before: () => t.beginInvocation(),
    after: () => t.endInvocation(),
    onError: (request) => t.endInvocation(request.error ?? new Error('handler failed')),
  };
}
