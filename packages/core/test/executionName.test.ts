import { describe, expect, it } from 'vitest';
import { executionName } from '../src';

const key = '111122223333:us-east-1:prod-eks-01:pod:payments/payments-api-7d9f8b6c5-x2kqp';
const at = new Date('2025-03-10T14:41:05Z');

describe('executionName', () => {
  it('is a valid Step Functions name (≤ 80 chars of [A-Za-z0-9_-])', () => {
    const name = executionName(`${key}${'-very-long'.repeat(20)}`, at);
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('is the same for the same key within the window and differs in the next window', () => {
    expect(executionName(key, at)).toBe(executionName(key, new Date('2025-03-10T14:59:59Z')));
    expect(executionName(key, at)).not.toBe(executionName(key, new Date('2025-03-10T15:00:00Z')));
  });

  it('keeps two keys apart even when their readable prefixes collide after truncation', () => {
    const long = 'x'.repeat(100);
    expect(executionName(`${long}:pod:a/b`, at)).not.toBe(executionName(`${long}:pod:a/c`, at));
  });
});
