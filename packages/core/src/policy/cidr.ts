import { BlockList, isIP } from 'node:net';

/** Membership test for a fixed set of IPv4/IPv6 CIDR blocks. */
export class CidrSet {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(cidrs: readonly string[]) {
    for (const block of cidrs) {
      const [address, bits] = block.split('/') as [string, string];
      this.list.addSubnet(address, Number(bits), isIP(address) === 6 ? 'ipv6' : 'ipv4');
    }
    this.size = cidrs.length;
  }

  /** undefined when `address` is not an IP address (CloudTrail puts service names there). */
  contains(address: string): boolean | undefined {
    const version = isIP(address);
    if (version === 0) return undefined;
    return this.list.check(address, version === 6 ? 'ipv6' : 'ipv4');
  }
}
