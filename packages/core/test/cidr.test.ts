import { describe, expect, it } from 'vitest';
import { CidrSet } from '../src';

describe('CidrSet', () => {
  const set = new CidrSet(['10.0.0.0/16', '192.0.2.0/28', '2001:db8::/32']);

  it.each([
    ['10.0.12.77', true],
    ['10.1.0.1', false],
    ['192.0.2.15', true],
    ['192.0.2.16', false],
    ['2001:db8::1', true],
    ['2001:db9::1', false],
  ])('%s inside → %s', (address, inside) => {
    expect(set.contains(address)).toBe(inside);
  });

  it('reports non-addresses (AWS service names in sourceIPAddress) as unknown', () => {
    expect(set.contains('eks.amazonaws.com')).toBeUndefined();
  });

  it('an empty set contains nothing', () => {
    expect(new CidrSet([]).contains('10.0.0.1')).toBe(false);
  });
});
