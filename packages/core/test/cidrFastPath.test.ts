import { BlockList, isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CidrSet } from '../src';

/** What BlockList alone answers: the reference the IPv4 shortcut must reproduce. */
function viaBlockList(cidrs: readonly string[], address: string): boolean | undefined {
  const version = isIP(address);
  if (version === 0) return undefined;
  const list = new BlockList();
  for (const block of cidrs) {
    const [network, bits] = block.split('/') as [string, string];
    list.addSubnet(network, Number(bits), isIP(network) === 6 ? 'ipv6' : 'ipv4');
  }
  return list.check(address, version === 6 ? 'ipv6' : 'ipv4');
}

const ipv4 = fc
  .tuple(...Array.from({ length: 4 }, () => fc.integer({ min: 0, max: 255 })))
  .map((octets) => octets.join('.'));
/** Addresses near the blocks' networks too, where an off-by-one in a mask would show. */
const nearby = (network: string) =>
  fc.integer({ min: -2, max: 2 }).map((delta) => {
    const octets = network.split('.').map(Number);
    octets[3] = Math.min(255, Math.max(0, (octets[3] as number) + delta));
    return octets.join('.');
  });
const ipv4Block = fc
  .tuple(ipv4, fc.integer({ min: 0, max: 32 }))
  .map(([address, bits]) => `${address}/${bits}`);
const ipv6Block = fc.constantFrom('2001:db8::/32', '::ffff:10.0.0.0/104', '::/0', 'fe80::/10');

describe('CidrSet: IPv4 without BlockList', () => {
  it.each([
    [['0.0.0.0/0'], '203.0.113.9', true],
    [['10.0.0.5/8'], '10.255.255.255', true],
    [['10.0.0.0/32'], '10.0.0.1', false],
    [['255.255.255.255/32'], '255.255.255.255', true],
    [['2001:db8::/32'], '10.0.0.1', false],
    [['::ffff:10.0.0.0/104'], '10.1.2.3', viaBlockList(['::ffff:10.0.0.0/104'], '10.1.2.3')],
  ])('%j contains %s → %s', (cidrs, address, inside) => {
    expect(new CidrSet(cidrs).contains(address)).toBe(inside);
  });

  it('answers what BlockList answers for any IPv4 address and set of blocks', () => {
    fc.assert(
      fc.property(
        fc.array(ipv4Block, { maxLength: 4 }),
        fc.array(ipv6Block, { maxLength: 1 }),
        fc.option(ipv4, { nil: undefined }),
        (v4, v6, random) => {
          const cidrs = [...v4, ...v6];
          const set = new CidrSet(cidrs);
          const addresses = [
            ...(random ? [random] : []),
            ...v4.map((block) => block.split('/')[0] as string),
          ];
          for (const address of addresses) {
            expect(set.contains(address)).toBe(viaBlockList(cidrs, address));
          }
        },
      ),
      { numRuns: 3_000 },
    );
    fc.assert(
      fc.property(
        ipv4Block.chain((block) =>
          fc.tuple(fc.constant(block), nearby(block.split('/')[0] as string)),
        ),
        ([block, address]) => {
          expect(new CidrSet([block]).contains(address)).toBe(viaBlockList([block], address));
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
