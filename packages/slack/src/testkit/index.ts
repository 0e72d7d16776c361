/**
 * `@tourniquet/slack/testkit`: approval requests and records built from the sample event and
 * configuration, and the hostile texts an attacker can put in a finding, for tests and
 * benchmarks of the approval path.
 */
export { HOSTILE_TEXTS, sampleApprovalRequest } from './approvalFixtures';
export { recordFor } from './approvalRecord';
