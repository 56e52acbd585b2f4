import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSet, effectiveTags, parsePrefix, subtractPrefixes, TagRegistry } from '../src/index.js';

const ctx = { objectType: 'test', objectName: 't', field: 'f' };

describe('address sets', () => {
  it('merges ranges and looks up IPv4 and IPv6 members, counting references', () => {
    const s = new AddressSet('s');
    for (const p of ['10.0.0.0/24', '10.0.1.0/24', '10.0.0.7', '2001:db8::/64', '2001:db8:0:1::5'])
      s.add(parsePrefix(p, ctx));
    const w = new Uint32Array(4);
    const has = (a: string) => {
      const p = parsePrefix(a, ctx);
      w.set(p.lo);
      return s.has(p.family, w);
    };
    expect([
      has('10.0.1.255'),
      has('10.0.2.0'),
      has('9.255.255.255'),
      has('2001:db8::ffff'),
      has('2001:db8:0:1::5'),
      has('2001:db8:0:1::6'),
    ]).toEqual([true, false, false, true, true, false]);
    s.add(parsePrefix('10.0.0.7', ctx));
    s.remove(parsePrefix('10.0.0.7', ctx));
    expect(s.prefixes()).toContain('10.0.0.7/32');
    s.remove(parsePrefix('10.0.0.0/24', ctx));
    expect(has('10.0.0.8')).toBe(false);
    expect(has('10.0.0.7')).toBe(true);
    expect(s.drainChanges()).toEqual({
      added: ['10.0.0.7/32', '10.0.1.0/24', '2001:db8:0:1::5/128', '2001:db8::/64'],
      removed: [],
    });
  });

  it('membership equals a linear scan of the prefixes (random IPv4 sets)', () => {
    const prefix = fc
      .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 16, max: 32 }))
      .map(([hi, len]) => {
        const n = (0x0a000000 | hi) >>> 0;
        return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${len}`;
      });
    fc.assert(
      fc.property(
        fc.array(prefix, { maxLength: 20 }),
        fc.array(fc.integer({ min: 0x0a000000, max: 0x0a00ffff }), { minLength: 1, maxLength: 30 }),
        (ps, addrs) => {
          const s = new AddressSet('s');
          const parsed = ps.map((p) => parsePrefix(p, ctx));
          for (const p of parsed) s.add(p);
          for (const a of addrs)
            expect(s.has4(a)).toBe(parsed.some((p) => a >= (p.lo[0] as number) && a <= (p.hi[0] as number)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('subtracts except blocks (Kubernetes ipBlock)', () => {
    expect(subtractPrefixes('10.0.0.0/24', ['10.0.0.128/25'], ctx)).toEqual(['10.0.0.0/25']);
    expect(subtractPrefixes('10.0.0.0/30', ['10.0.0.1/32'], ctx)).toEqual(['10.0.0.0/32', '10.0.0.2/31']);
    expect(subtractPrefixes('2001:db8::/126', ['2001:db8::/127'], ctx)).toEqual(['2001:db8::2/127']);
  });
});

describe('tags', () => {
  it('ids are 16-bit type and value; predefined types keep their TF ids', () => {
    const r = new TagRegistry(['colour']);
    expect(r.id('tier=web', ctx) >>> 16).toBe(2);
    expect(r.id('colour=red', ctx) >>> 16).toBe(256);
    expect(r.id('global:tier=web', ctx)).toBe(r.id('tier=web', ctx));
  });

  it('precedence interface > VM > host > VN > project; labels only from the first level with labels', () => {
    const r = new TagRegistry();
    const l = (...t: string[]) => r.parseList(t, ctx);
    const eff = effectiveTags(
      [
        l('tier=web', 'label=a'),
        l('tier=app', 'deployment=dev', 'label=b'),
        l('site=London'),
        l('site=Paris', 'label=c'),
        l('application=X', 'deployment=prod'),
      ],
      (t) => r.isMultiValued(t),
    ).map((t) => r.name(t));
    expect(eff.sort()).toEqual(['application=X', 'deployment=dev', 'label=a', 'site=London', 'tier=web']);
  });
});
