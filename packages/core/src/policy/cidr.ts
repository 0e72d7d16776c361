import { BlockList, isIP } from 'node:net';

/** Membership test for a fixed set of IPv4/IPv6 CIDR blocks. */
export class CidrSet {
  private readonly list = new BlockList();
  /**
   * The IPv4 blocks again as (network, mask) pairs of unsigned 32-bit numbers: an IPv4 address
   * inside one is answered without BlockList, whose check builds a SocketAddress per call and
   * was an eighth of a plan's time. A miss is final only when no IPv6 block could hold the
   * address (BlockList matches IPv4 addresses against IPv4-mapped IPv6 blocks).
   */
  private readonly ipv4: number[] = [];
  private readonly hasIpv6: boolean;
  readonly size: number;

  constructor(cidrs: readonly string[]) {
    let hasIpv6 = false;
    for (const block of cidrs) {
      const [address, bits] = block.split('/') as [string, string];
      const version = isIP(address);
      this.list.addSubnet(address, Number(bits), version === 6 ? 'ipv6' : 'ipv4');
      if (version === 4) {
        const prefix = Number(bits);
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        this.ipv4.push((ipv4Number(address) & mask) >>> 0, mask);
      } else hasIpv6 = true;
    }
    this.hasIpv6 = hasIpv6;
    this.size = cidrs.length;
  }

  /** undefined when `address` is not an IP address (CloudTrail puts service names there). */
  contains(address: string): boolean | undefined {
    const version = isIP(address);
    if (version === 0) return undefined;
    if (version === 4) {
      const value = ipv4Number(address);
      const blocks = this.ipv4;
      for (let i = 0; i < blocks.length; i += 2) {
        if ((value & (blocks[i + 1] as number)) >>> 0 === blocks[i]) return true;
      }
      if (!this.hasIpv6) return false;
    }
    return this.list.check(address, version === 6 ? 'ipv6' : 'ipv4');
  }
}

/** A dotted-quad IPv4 address (as `isIP` accepts it: four decimal octets) as an unsigned number. */
function ipv4Number(address: string): number {
  let value = 0;
  let octet = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      value = value * 256 + octet;
      octet = 0;
    } else octet = octet * 10 + (c - 48);
  }
  return value * 256 + octet;
}
