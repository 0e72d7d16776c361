import { UnrecognisedEventError } from '../errors';
import type { Finding } from '../finding';
import { normaliseCloudTrail } from './cloudtrail';
import { type Envelope, envelopeSchema, parseOrThrow } from './common';
import { normaliseConfig } from './config';
import { envelopeFastPath } from './envelopeFastPath';
import { normaliseGuardDuty } from './guardduty';

type Normaliser = (envelope: Envelope) => Finding;

/** Which normaliser handles which EventBridge `detail-type`, and the sources it accepts. */
const NORMALISERS: ReadonlyArray<{
  detailType: string;
  accepts: (source: string) => boolean;
  normalise: Normaliser;
}> = [
  {
    detailType: 'GuardDuty Finding',
    accepts: (s) => s === 'aws.guardduty',
    normalise: normaliseGuardDuty,
  },
  {
    detailType: 'Config Rules Compliance Change',
    accepts: (s) => s === 'aws.config',
    normalise: normaliseConfig,
  },
  {
    detailType: 'AWS API Call via CloudTrail',
    accepts: (s) => s.startsWith('aws.'),
    normalise: normaliseCloudTrail,
  },
];

/**
 * Validates an EventBridge event from one of the three supported sources and normalises it to a
 * Finding. Throws EventValidationError (naming the field) for a malformed event and
 * UnrecognisedEventError for anything else.
 */
export function normaliseEvent(event: unknown): Finding {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new UnrecognisedEventError(
      `expected an EventBridge event object, got ${Array.isArray(event) ? 'an array' : event === null ? 'null' : typeof event}`,
    );
  }
  const envelope =
    envelopeFastPath(event) ?? parseOrThrow(envelopeSchema, event, 'EventBridge event', '');
  const handler = NORMALISERS.find(
    (n) => n.detailType === envelope['detail-type'] && n.accepts(envelope.source),
  );
  if (!handler) {
    throw new UnrecognisedEventError(
      `source "${clip(envelope.source)}" with detail-type "${clip(envelope['detail-type'])}" is not a GuardDuty finding, Config compliance change or CloudTrail API call`,
    );
  }
  return handler.normalise(envelope);
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
