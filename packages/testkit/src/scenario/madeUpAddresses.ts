import { createHash } from 'node:crypto';

/** Ids and addresses a scenario needs and the events do not give: stable, and never in use. */

/** A stable id in AWS's shape for something no event names. */
export function madeUpId(prefix: string, seed: string): string {
  return `${prefix}-${hash(seed, 17)}`;
}

export function hash(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

/**
 * The smallest CIDR block holding every address, /`longest` at most: inside the real subnet or
 * VPC those addresses came from, so the blocks made up for one cluster never overlap.
 */
export function covering(ips: readonly string[], longest: number): string {
  const numbers = ips.map(toNumber);
  const first = numbers[0] ?? 0;
  let bits = longest;
  while (bits > 8 && numbers.some((n) => n >>> (32 - bits) !== first >>> (32 - bits))) bits--;
  return `${toIp(((first >>> (32 - bits)) << (32 - bits)) >>> 0)}/${bits}`;
}

/** An unused address in a block, from its top down (AWS keeps the first four and the last). */
export function freeInBlock(cidr: string, used: Set<string>): string {
  const [network = '10.0.0.0', bits = '28'] = cidr.split('/');
  const start = toNumber(network);
  const size = 2 ** (32 - Number(bits));
  for (let i = size - 2; i >= 4; i--) {
    const candidate = toIp((start + i) >>> 0);
    if (!used.has(candidate)) {
      used.add(candidate);
      return candidate;
    }
  }
  return toIp((start + 4) >>> 0);
}

/** An address after `from` in its /24 that nothing uses yet (pods get IPs from the node's subnet). */
export function freeIp(from: string, used: Set<string>): string {
  const start = toNumber(from);
  for (let i = 1; i < 250; i++) {
    const candidate = toIp(((start & ~0xff) | ((((start & 0xff) + i) % 250) + 4)) >>> 0);
    if (!used.has(candidate)) {
      used.add(candidate);
      return candidate;
    }
  }
  return from;
}

export function toNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) >>> 0;
}

export function toIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 0xff).join('.');
}
