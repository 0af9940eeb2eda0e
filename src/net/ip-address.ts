/**
 * IP address parsing and classification for the outbound guard. The question it answers is
 * "may the server open a connection to this address on an accountant's behalf?": only public
 * unicast addresses qualify, so every special-purpose range (RFC 6890 and its successors) is
 * named here and refused by the guard, and IPv6 forms that carry an IPv4 address inside them
 * (mapped, compatible, NAT64, 6to4) are judged by the IPv4 address they reach.
 */

/** What kind of network an address belongs to; only `public` is reachable by the guard. */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'cgnat'
  | 'multicast'
  /** Documentation, benchmarking, broadcast, future use, deprecated and protocol ranges. */
  | 'reserved';

/** An address as the guard sees it: its family and what kind of network it is on. */
export interface ClassifiedAddress {
  readonly family: 4 | 6;
  readonly class: AddressClass;
}

const IPV4_DECIMAL = /^(?:0|[1-9][0-9]*)$/;
const IPV4_OCTAL = /^0[0-7]+$/;
const IPV4_HEX = /^0x[0-9a-f]*$/i;

/**
 * Parses an IPv4 address in every form `inet_aton` and the WHATWG URL parser accept: one to four
 * parts, each decimal, octal (`0177`) or hex (`0x7f`), the last part filling the remaining bytes
 * (`2130706433`, `0x7f.1`, `127.1`). Such forms reach the same host as the dotted quad, so a
 * check that only knew `a.b.c.d` could be walked around. Returns the address as an unsigned
 * 32-bit number, or null when the text is not an IPv4 address.
 */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (IPV4_HEX.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (IPV4_OCTAL.test(part)) value = parseInt(part.slice(1), 8);
    else if (IPV4_DECIMAL.test(part)) value = parseInt(part, 10);
    else return null;
    if (!Number.isSafeInteger(value)) return null;
    values.push(value);
  }
  const last = values.pop();
  if (last === undefined) return null;
  if (values.some((v) => v > 255)) return null;
  const lastBytes = 4 - values.length;
  if (last >= 2 ** (8 * lastBytes)) return null;
  let address = 0;
  for (const v of values) address = address * 256 + v;
  return address * 2 ** (8 * lastBytes) + last;
}

/** Strict dotted-decimal `a.b.c.d`, the only IPv4 form allowed inside an IPv6 address. */
function parseDottedQuad(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let address = 0;
  for (const part of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const v = Number(part);
    if (v > 255) return null;
    address = address * 256 + v;
  }
  return address;
}

/**
 * Parses an IPv6 address (optionally in URL brackets, optionally with a `%zone`, optionally
 * ending in a dotted IPv4 address) into its eight 16-bit groups; null when it is not one.
 */
export function parseIpv6(text: string): number[] | null {
  let s = text;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) {
    if (zone === s.length - 1) return null;
    s = s.slice(0, zone);
  }
  if (s === '' || !/^[0-9a-f:.]+$/i.test(s)) return null;

  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (half: string, allowTail: boolean): number[] | null => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] ?? '';
      if (allowTail && i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseDottedQuad(piece);
        if (v4 === null) return null;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };

  if (halves.length === 1) {
    const groups = groupsOf(s, true);
    return groups && groups.length === 8 ? groups : null;
  }
  const head = groupsOf(halves[0] ?? '', false);
  const tail = groupsOf(halves[1] ?? '', true);
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  // `::` stands for at least one group of zeros.
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** `a.b.c.d` of a 32-bit IPv4 address. */
export function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

const inV4 = (address: number, base: string, bits: number): boolean => {
  const b = parseDottedQuad(base);
  if (b === null) throw new Error(`bad range ${base}`);
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(b / size);
};

/** IPv4 special-purpose ranges, most specific first where they overlap. */
const ipv4Ranges: readonly (readonly [string, number, AddressClass])[] = [
  ['0.0.0.0', 8, 'unspecified'], // "this network": connecting to 0.x reaches the local host
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'], // includes cloud metadata at 169.254.169.254
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'reserved'], // documentation (TEST-NET-1)
  ['192.88.99.0', 24, 'reserved'], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'], // benchmarking
  ['198.51.100.0', 24, 'reserved'], // documentation (TEST-NET-2)
  ['203.0.113.0', 24, 'reserved'], // documentation (TEST-NET-3)
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // future use, and the broadcast address 255.255.255.255
];

/** Classifies a 32-bit IPv4 address. */
export function classifyIpv4(address: number): AddressClass {
  for (const [base, bits, cls] of ipv4Ranges) {
    if (inV4(address, base, bits)) return cls;
  }
  return 'public';
}

/** Classifies an IPv6 address given as eight 16-bit groups. */
export function classifyIpv6(groups: readonly number[]): AddressClass {
  const g = (i: number): number => groups[i] ?? 0;
  const embeddedV4 = (hi: number, lo: number): number => g(hi) * 65536 + g(lo);
  const zeroUpTo = (n: number): boolean => groups.slice(0, n).every((x) => x === 0);

  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && g(7) === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (translated) reach the IPv4 host itself.
  if (zeroUpTo(5) && g(5) === 0xffff) return classifyIpv4(embeddedV4(6, 7));
  if (zeroUpTo(4) && g(4) === 0xffff && g(5) === 0) return classifyIpv4(embeddedV4(6, 7));
  // ::a.b.c.d (deprecated "IPv4-compatible"): some stacks still route it to the IPv4 host.
  if (zeroUpTo(6)) return classifyIpv4(embeddedV4(6, 7));
  // NAT64 well-known prefix 64:ff9b::/96 translates to the embedded IPv4 address.
  if (g(0) === 0x64 && g(1) === 0xff9b && g(2) === 0 && g(3) === 0 && g(4) === 0 && g(5) === 0) {
    return classifyIpv4(embeddedV4(6, 7));
  }
  // 64:ff9b:1::/48 is NAT64 for local use only.
  if (g(0) === 0x64 && g(1) === 0xff9b && g(2) === 1) return 'private';
  if ((g(0) & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g(0) & 0xffc0) === 0xfe80) return 'link-local';
  if ((g(0) & 0xff00) === 0xff00) return 'multicast';
  // Only 2000::/3 is global unicast; everything else left (site-local fec0::/10, discard
  // 100::/64, unassigned space) is not somewhere the hub has any reason to go.
  if ((g(0) & 0xe000) !== 0x2000) return 'reserved';
  // 6to4 (2002::/16) carries the IPv4 address of the far end in groups 1-2.
  if (g(0) === 0x2002) return classifyIpv4(embeddedV4(1, 2));
  if (g(0) === 0x2001 && g(1) === 0x0db8) return 'reserved'; // documentation
  // 2001::/23: IETF protocol assignments (Teredo, ORCHID, benchmarking …).
  if (g(0) === 0x2001 && g(1) < 0x0200) return 'reserved';
  if (g(0) === 0x3fff && g(1) < 0x1000) return 'reserved'; // documentation (RFC 9637)
  return 'public';
}

/**
 * Classifies an IP address written as text (IPv4 in any `inet_aton` form, IPv6 with or without
 * brackets); null when the text is not an IP address (a host name).
 */
export function classifyAddress(text: string): ClassifiedAddress | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, class: classifyIpv4(v4) };
  const v6 = parseIpv6(text);
  if (v6 !== null) return { family: 6, class: classifyIpv6(v6) };
  return null;
}
