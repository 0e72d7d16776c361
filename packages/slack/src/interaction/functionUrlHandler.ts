import { type FunctionUrlEvent, fromFunctionUrlEvent } from './functionUrlEvent';
import { handleSlackInteraction, type InteractionDeps } from './handleSlackInteraction';
import type { HttpResponse } from './httpRequest';

/** The decision endpoint as a Function URL handler, for in-process use (local runs, tests). */
export function slackInteractionsFunction(
  deps: InteractionDeps,
): (event: FunctionUrlEvent) => Promise<HttpResponse> {
  return (event) => handleSlackInteraction(fromFunctionUrlEvent(event), deps);
}
