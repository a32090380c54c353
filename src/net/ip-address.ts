/**
 * One canonical text per IP address, so that an address typed by a customer (white-ip/add, `-ip-` in a proxy
 * username), stored by the operator (static IPs) and seen on a socket compare equal.
 */
import ipaddr from 'ipaddr.js';

/**
 * The canonical text of one address, or undefined when `text` is not a plain
 * IPv4 or IPv6 address. IPv4 must be four decimal parts without leading zeros
 * (`127.1`, `0x7f.0.0.1` and `010.0.0.1` are ambiguous and refused); IPv6 is
 * given in RFC 5952 §4 form (lower case, longest zero run compressed) and an
 * IPv4-mapped address (RFC 4291 §2.5.5.2) becomes its IPv4 address, the form
 * in which a dual-stack socket's peer is compared. CIDR ranges, hostnames,
 * brackets and zone ids (`fe80::1%eth0`) are refused.
 */
export function canonicalIp(text: string): string | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text).toString();
  if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return undefined;
  const v6 = ipaddr.IPv6.parse(text);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toString();
}
