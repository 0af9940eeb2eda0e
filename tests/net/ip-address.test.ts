import { describe, expect, it } from '@jest/globals';
import {
  classifyAddress,
  formatIpv4,
  parseIpv4,
  parseIpv6,
  type AddressClass,
} from '../../src/net/ip-address.js';

describe('classifyAddress', () => {
  const table: readonly (readonly [string, AddressClass])[] = [
    // IPv4, dotted quad
    ['8.8.8.8', 'public'],
    ['20.190.160.1', 'public'],
    ['1.1.1.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['192.168.1.1', 'private'],
    ['192.167.255.255', 'public'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.0', 'public'],
    ['100.63.255.255', 'public'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'],
    ['192.88.99.1', 'reserved'],
    // IPv4, the other forms inet_aton and URL parsers accept
    ['2130706433', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['0', 'unspecified'],
    ['0x0', 'unspecified'],
    ['167772161', 'private'],
    ['0xa.0.0.1', 'private'],
    ['012.0.0.1', 'private'],
    ['0xA9.0xFE.0xA9.0xFE', 'link-local'],
    ['2852039166', 'link-local'],
    ['134744072', 'public'],
    // IPv6
    ['::', 'unspecified'],
    ['0:0:0:0:0:0:0:0', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd00::1', 'unique-local'],
    ['fdff:ffff::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['ff05::1:3', 'multicast'],
    ['fec0::1', 'reserved'],
    ['100::1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['3fff::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['2620:1ec:4::152', 'public'],
    ['2001:4860:4860::8888', 'public'],
    // IPv6 forms that carry an IPv4 address
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a00:1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::FFFF:192.168.0.1', 'private'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::ffff:8.8.8.8', 'public'],
    ['0:0:0:0:0:ffff:127.0.0.1', 'loopback'],
    ['::ffff:0:10.0.0.1', 'private'],
    ['::10.0.0.1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b:1::1', 'private'],
    ['2002:a00:1::1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:808:808::1', 'public'],
  ];

  it.each(table)('classifies %s as %s', (text, expected) => {
    expect(classifyAddress(text)?.class).toBe(expected);
  });

  it('reports the family of the address', () => {
    expect(classifyAddress('10.0.0.1')?.family).toBe(4);
    expect(classifyAddress('fd00::1')?.family).toBe(6);
  });

  it.each([
    'localhost',
    'api.businesscentral.dynamics.com',
    '',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.256',
    '4294967296',
    '08.0.0.1',
    '0x1g.0.0.1',
    '1..2.3',
    '-1.2.3.4',
    ' 127.0.0.1',
    ':::1',
    '1::2::3',
    'fe80::1%',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7::8',
    '12345::1',
    '::ffff:10.0.0',
    '::ffff:010.0.0.1',
    '::1.2.3.4:5',
    'g::1',
  ])('does not take %j for an IP address', (text) => {
    expect(classifyAddress(text)).toBeNull();
  });
});

describe('parseIpv4', () => {
  it('reads every inet_aton form of the same address alike', () => {
    const forms = [
      '127.0.0.1',
      '2130706433',
      '0x7f.1',
      '0x7f.0.1',
      '0177.0.0.1',
      '127.1',
      '127.0.1',
    ];
    expect(new Set(forms.map(parseIpv4))).toEqual(new Set([2130706433]));
  });

  it('reads the largest address and refuses one beyond it', () => {
    expect(parseIpv4('255.255.255.255')).toBe(4294967295);
    expect(parseIpv4('4294967295')).toBe(4294967295);
    expect(parseIpv4('4294967296')).toBeNull();
    expect(parseIpv4('1.16777216')).toBeNull();
    expect(parseIpv4('1.2.65536')).toBeNull();
  });

  it('formats an address back as a dotted quad', () => {
    expect(formatIpv4(parseIpv4('0xA9.0xFE.0xA9.0xFE') ?? -1)).toBe('169.254.169.254');
  });
});

describe('parseIpv6', () => {
  it('expands :: and an IPv4 tail into eight groups', () => {
    expect(parseIpv6('::ffff:10.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001]);
    expect(parseIpv6('fe80::1')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIpv6('1:2:3:4:5:6:7::')).toEqual([1, 2, 3, 4, 5, 6, 7, 0]);
  });
});
