/**
 * The approval store and decision logic live in @tourniquet/aws (packages/aws/src/approvals).
 * Imported by path until @tourniquet/aws's index exports them; then this becomes
 * `export * from '@tourniquet/aws'`-style re-exports of the same module (same instance either way).
 */
export * from '../../aws/src/approvals/index';
