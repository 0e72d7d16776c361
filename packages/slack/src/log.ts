/** What the orchestration needs from a logger; Powertools' Logger fits, tests pass collectors. */
export interface ApprovalLog {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export const silentLog: ApprovalLog = { info() {}, warn() {}, error() {} };
