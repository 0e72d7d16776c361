import { ATTEMPT_RESULT, type AttemptResult, isAccepted } from '@tourniquet/core';
import type { HttpResponse } from './httpRequest';

/**
 * The HTTP status of each answer. Slack only acknowledges 200 (anything else shows the clicker a
 * warning icon) — which is right for a refused click; the ephemeral note says why.
 */
export const ANSWER_STATUS: Readonly<Record<AttemptResult, number>> = {
  [ATTEMPT_RESULT.requested]: 200,
  [ATTEMPT_RESULT.posted]: 200,
  [ATTEMPT_RESULT.postFailed]: 502,
  [ATTEMPT_RESULT.approved]: 200,
  [ATTEMPT_RESULT.denied]: 200,
  [ATTEMPT_RESULT.firstApproval]: 200,
  [ATTEMPT_RESULT.badSignature]: 401,
  [ATTEMPT_RESULT.staleTimestamp]: 401,
  [ATTEMPT_RESULT.replayed]: 409,
  [ATTEMPT_RESULT.tooLarge]: 413,
  [ATTEMPT_RESULT.malformed]: 400,
  [ATTEMPT_RESULT.unknownApproval]: 404,
  [ATTEMPT_RESULT.unauthorised]: 403,
  [ATTEMPT_RESULT.alreadyDecided]: 409,
  [ATTEMPT_RESULT.repeatApprover]: 409,
  [ATTEMPT_RESULT.expired]: 410,
  [ATTEMPT_RESULT.unavailable]: 503,
  [ATTEMPT_RESULT.releaseRequested]: 200,
  [ATTEMPT_RESULT.nothingToRelease]: 409,
  [ATTEMPT_RESULT.releaseRefused]: 409,
};

export interface Answer {
  result: AttemptResult;
  message: string;
  /** Overrides the result's status (405 for a wrong method). */
  status?: number;
}

export function httpAnswer(answer: Answer): HttpResponse {
  return {
    statusCode: answer.status ?? ANSWER_STATUS[answer.result],
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({
      ok: isAccepted(answer.result),
      result: answer.result,
      message: answer.message,
    }),
  };
}
