import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddr } from '../src/ipam/address.js';
import { nextAddress } from '../src/ipam/candidates.js';
import { normalizeSubnets } from '../src/ipam/subnets.js';

describe('address candidates', () => {
  it('fills subnet defaults as Tungsten Fabric shows them', () => {
    const s = [{ subnet: { ip_prefix: '10.2.1.0', ip_prefix_len: 24 } }];
    normalizeSubnets(s, 'x');
    expect(s[0]).toMatchObject({
      default_gateway: '10.2.1.1',
      dns_server_address: '10.2.1.2',
      enable_dhcp: true,
      addr_from_start: true,
    });
  });

  it('allocates upwards with addr_from_start and downwards without, skipping reserved addresses', () => {
    const up = normalizeSubnets([{ subnet: { ip_prefix: '10.0.0.0', ip_prefix_len: 29 } }], 'x');
    expect(nextAddress(up, () => false)?.address).toBe('10.0.0.3');
    const down = normalizeSubnets(
      [{ subnet: { ip_prefix: '10.0.0.0', ip_prefix_len: 29 }, addr_from_start: false }],
      'x',
    );
    expect(nextAddress(down, () => false)?.address).toBe('10.0.0.6');
  });

  it('finds every free address exactly once in either direction, whatever the cursor and the taken set', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 24, max: 28 }),
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }),
        fc.option(fc.integer({ min: 0, max: 255 })),
        (fromStart, len, takenHosts, cursorHost) => {
          const plans = normalizeSubnets(
            [{ subnet: { ip_prefix: '10.9.0.0', ip_prefix_len: len }, addr_from_start: fromStart }],
            'x',
          );
          const size = 2 ** (32 - len);
          const taken = new Set(
            takenHosts
              .filter((h) => h < size)
              .map((h) => formatAddr({ family: 4, value: 0x0a090000n + BigInt(h) })),
          );
          const cursors = new Map<string, bigint>();
          if (cursorHost !== null && cursorHost < size)
            cursors.set(plans[0]!.uuid, 0x0a090000n + BigInt(cursorHost));
          const got = new Set<string>();
          for (let i = 0; i < size; i++) {
            const r = nextAddress(plans, (a) => taken.has(a) || got.has(a), cursors);
            if (!r) break;
            expect(got.has(r.address)).toBe(false);
            got.add(r.address);
          }
          // every host except network, broadcast, gateway, DNS and the taken ones
          const expected = [...Array(size).keys()]
            .slice(3, size - 1)
            .map((h) => formatAddr({ family: 4, value: 0x0a090000n + BigInt(h) }))
            .filter((a) => !taken.has(a));
          expect([...got].sort()).toEqual(expected.sort());
        },
      ),
    );
  });
});
