// Server-side allocation when config objects are written: network ids, VNIs, route targets and route
// distinguishers for virtual networks (with their default routing instance), subnets (gateway, DNS service
// address, allocation pools), instance and floating addresses (IPv4/IPv6), interface MACs, security group ids
// and tag ids. Every unique value is a store claim committed with its object, so no value is handed out twice,
// also under concurrent requests and across controllers sharing one etcd.
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { NewObject, Store, StoredObject, WriteOp } from '../store/interface.js';
import { contains, formatAddr, parseAddr, prefixOf } from './address.js';
import { Allocator, nextInt } from './allocator.js';
import { nextAddress } from './candidates.js';
import { macFor } from './mac.js';
import { type IpamSubnet, normalizeSubnets, plansOf, type SubnetPlan } from './subnets.js';

export interface IpamOptions {
  /** Autonomous system for allocated route targets and route distinguishers (default 64512). */
  asn?: number;
}

type Commit = (extra: WriteOp[]) => Promise<unknown>;

const WELL_KNOWN_TAG_TYPES: Record<string, number> = {
  label: 0,
  application: 1,
  tier: 2,
  deployment: 3,
  site: 4,
  neutron_fwaas: 5,
};

export const ipPool = (vnUuid: string): string => `ip:${vnUuid}`;

export class Ipam {
  readonly allocator: Allocator;
  readonly asn: number;
  /** Last address handed out per subnet uuid (where the next scan in that subnet starts). */
  private readonly cursor = new Map<string, bigint>();
  constructor(
    private readonly store: Store,
    opts: IpamOptions = {},
  ) {
    this.allocator = new Allocator(store);
    this.asn = opts.asn ?? 64512;
  }

  /** Validates and completes the subnets in a network's network_ipam_refs; checks removed subnets are unused. */
  async networkSubnets(draft: NewObject, old?: StoredObject): Promise<void> {
    const all: IpamSubnet[] = [];
    draft.refs.forEach((r) => {
      if (r.type !== 'network-ipam') return;
      const attr = (r.attr ?? {}) as { ipam_subnets?: IpamSubnet[] };
      for (const s of attr.ipam_subnets ?? []) all.push(s);
    });
    const before = old ? plansOf(old.refs.filter((r) => r.type === 'network-ipam')) : [];
    // A subnet re-sent without its uuid (clients often PUT the whole list back) keeps the uuid it had.
    for (const s of all) {
      if (s.subnet_uuid !== undefined || !s.subnet) continue;
      const same = before.find((p) => {
        const q = prefixOf(s.subnet!.ip_prefix, s.subnet!.ip_prefix_len);
        return q && q.family === p.prefix.family && q.network === p.prefix.network && q.len === p.prefix.len;
      });
      if (same) s.subnet_uuid = same.uuid;
    }
    const plans = normalizeSubnets(all, 'network_ipam_refs.attr.ipam_subnets');
    if (!old) return;
    const kept = new Set(plans.map((p) => `${p.prefix.family}/${p.prefix.network}/${p.prefix.len}`));
    const removed = before.filter((p) => !kept.has(`${p.prefix.family}/${p.prefix.network}/${p.prefix.len}`));
    if (removed.length === 0) return;
    const used = await this.store.claimed(ipPool(old.uuid));
    for (const p of removed) {
      for (const ip of used) {
        const a = parseAddr(ip);
        if (a && contains(p.prefix, a)) {
          throw new ConflictError(
            'back-refs',
            `subnet ${formatAddr({ family: p.prefix.family, value: p.prefix.network })}/${p.prefix.len} still has address ${ip} allocated`,
            {
              subnet_uuid: p.uuid,
              address: ip,
            },
          );
        }
      }
    }
  }

  /** Creates a network: network id, VNI, route target, default routing instance with its RD. */
  async createNetwork(draft: NewObject, commit: Commit): Promise<void> {
    await this.networkSubnets(draft);
    const props = (draft.body.virtual_network_properties ?? {}) as Record<string, unknown>;
    const userVni = props.vxlan_network_identifier as number | undefined;
    const vnis = await this.store.claimed('vni');
    await this.allocator.allocate(
      'vn-id',
      (taken) => nextInt(1, 65535, (k) => taken(k) || (userVni === undefined && vnis.has(k))),
      async (key) => {
        const id = Number(key);
        const vni = userVni ?? id;
        const rt = `target:${this.asn}:${8000000 + id}`;
        draft.body.virtual_network_network_id = id;
        draft.body.virtual_network_properties = { ...props, vxlan_network_identifier: vni, network_id: id };
        draft.claims = [
          { pool: 'vn-id', key },
          { pool: 'vni', key: String(vni) },
        ];
        const rtObj: NewObject = {
          type: 'route-target',
          uuid: randomUUID(),
          fqName: [rt],
          refs: [],
          claims: [],
          body: {},
        };
        const ri: NewObject = {
          type: 'routing-instance',
          uuid: randomUUID(),
          fqName: [...draft.fqName, draft.fqName.at(-1)!],
          parentType: 'virtual-network',
          parentUuid: draft.uuid,
          refs: [{ type: 'route-target', uuid: rtObj.uuid, attr: {} }],
          claims: [],
          body: { routing_instance_is_default: true, route_distinguisher: `${this.asn}:${id}` },
        };
        if (draft.owner !== undefined) ri.owner = draft.owner;
        try {
          await commit([
            { op: 'create', object: rtObj },
            { op: 'create', object: ri },
          ]);
        } catch (e) {
          // An automatic VNI (= network id) or route target taken meanwhile by another controller: report it as
          // a conflict on the network id so that the allocator tries the next id.
          const auto =
            e instanceof ConflictError &&
            ((e.kind === 'claim' && e.details.pool === 'vni' && userVni === undefined) ||
              (e.kind === 'exists' && e.details.type === 'route-target'));
          if (auto)
            throw new ConflictError('claim', `network id ${key} unusable: ${e.message}`, {
              pool: 'vn-id',
              key,
            });
          throw e;
        }
      },
    );
  }

  /** Ops that delete what createNetwork made with a network. */
  async deleteNetworkOps(vn: StoredObject): Promise<WriteOp[]> {
    const ops: WriteOp[] = [];
    for (const c of await this.store.children(vn.uuid, 'routing-instance')) {
      const ri = await this.store.get(c.uuid);
      if (ri?.body.routing_instance_is_default !== true) continue;
      if ((await this.store.children(ri.uuid)).length > 0) continue; // let the store report the conflict
      ops.push({ op: 'delete', uuid: ri.uuid });
      for (const r of ri.refs) {
        if (r.type !== 'route-target') continue;
        const users = await this.store.backRefs(r.uuid);
        if (users.every((u) => u.uuid === ri.uuid)) ops.push({ op: 'delete', uuid: r.uuid });
      }
    }
    return ops;
  }

  async createInterface(draft: NewObject, commit: Commit): Promise<void> {
    const given = (
      draft.body.virtual_machine_interface_mac_addresses as { mac_address?: string[] } | undefined
    )?.mac_address;
    if (given && given.length > 0) {
      draft.claims = given.map((m) => ({ pool: 'mac', key: m.toLowerCase() }));
      await commit([]);
      return;
    }
    let salt = 0;
    await this.allocator.allocate(
      'mac',
      (taken) => {
        for (let i = 0; i < 64; i++) {
          const m = macFor(draft.uuid, salt++);
          if (!taken(m)) return m;
        }
        return undefined;
      },
      async (mac) => {
        draft.body.virtual_machine_interface_mac_addresses = { mac_address: [mac] };
        draft.claims = [{ pool: 'mac', key: mac }];
        await commit([]);
      },
      false,
    );
  }

  private async network(uuid: string): Promise<StoredObject> {
    const vn = await this.store.get(uuid);
    if (vn?.type !== 'virtual-network')
      throw new NotFoundError(`virtual-network ${uuid} not found`, { uuid });
    return vn;
  }

  /** Allocates (or checks and claims) an address in `vn` for an instance-ip or floating-ip draft. */
  private async address(
    draft: NewObject,
    vn: StoredObject,
    fields: { address: string; family: string; subnet?: string },
    restrict: Set<string> | undefined,
    commit: Commit,
  ): Promise<void> {
    let plans = plansOf(vn.refs.filter((r) => r.type === 'network-ipam'));
    if (restrict) plans = plans.filter((p) => restrict.has(p.uuid));
    const famWanted = draft.body[fields.family] as string | undefined;
    if (famWanted) plans = plans.filter((p) => (famWanted === 'v6') === (p.prefix.family === 6));
    const subnetWanted = fields.subnet ? (draft.body[fields.subnet] as string | undefined) : undefined;
    if (subnetWanted) {
      plans = plans.filter((p) => p.uuid === subnetWanted);
      if (plans.length === 0)
        throw new ValidationError(fields.subnet!, `no subnet ${subnetWanted} in network ${vn.uuid}`);
    }
    if (plans.length === 0) {
      throw new ConflictError(
        'exhausted',
        `network ${vn.fqName.join(':')} has no ${famWanted ?? ''} subnet to allocate from`.replace('  ', ' '),
        {
          virtual_network: vn.uuid,
        },
      );
    }
    const pool = ipPool(vn.uuid);
    const set = (address: string, p: SubnetPlan) => {
      draft.body[fields.address] = address;
      draft.body[fields.family] = p.prefix.family === 6 ? 'v6' : 'v4';
      if (fields.subnet) draft.body[fields.subnet] = p.uuid;
      draft.claims = [{ pool, key: address }];
    };
    const requested = draft.body[fields.address] as string | undefined;
    if (requested !== undefined) {
      const a = parseAddr(requested)!;
      const p = plans.find((x) => contains(x.prefix, a));
      if (!p)
        throw new ValidationError(
          fields.address,
          `${requested} is not in a subnet of ${vn.fqName.join(':')}`,
        );
      if (p.reserved.has(a.value)) {
        throw new ConflictError(
          'claim',
          `${requested} is reserved (network, broadcast, gateway or DNS address)`,
          { pool, key: requested },
        );
      }
      set(formatAddr(a), p);
      await commit([]);
      return;
    }
    await this.allocator.allocate(
      pool,
      (taken) => nextAddress(plans, taken, this.cursor)?.address,
      async (address) => {
        const a = parseAddr(address)!;
        const subnet = plans.find((x) => contains(x.prefix, a))!;
        set(address, subnet);
        await commit([]);
        this.cursor.set(subnet.uuid, a.value);
        if (this.cursor.size > 100_000) this.cursor.delete(this.cursor.keys().next().value!);
      },
    );
  }

  /** `known`: objects the caller has read already (the network, when it resolved the ref). */
  async createInstanceIp(
    draft: NewObject,
    commit: Commit,
    known?: ReadonlyMap<string, StoredObject>,
  ): Promise<void> {
    const vnRef = draft.refs.find((r) => r.type === 'virtual-network')!;
    const cached = known?.get(vnRef.uuid);
    const vn = cached?.type === 'virtual-network' ? cached : await this.network(vnRef.uuid);
    await this.address(
      draft,
      vn,
      { address: 'instance_ip_address', family: 'instance_ip_family', subnet: 'subnet_uuid' },
      undefined,
      commit,
    );
  }

  async createFloatingIp(draft: NewObject, commit: Commit): Promise<void> {
    const pool = await this.store.get(draft.parentUuid!);
    if (!pool) throw new NotFoundError(`floating-ip-pool ${draft.parentUuid} not found`);
    const vn = await this.network(pool.parentUuid!);
    const subnets = (pool.body.floating_ip_pool_subnets as { subnet_uuid?: string[] } | undefined)
      ?.subnet_uuid;
    await this.address(
      draft,
      vn,
      { address: 'floating_ip_address', family: 'floating_ip_address_family' },
      subnets && subnets.length > 0 ? new Set(subnets) : undefined,
      commit,
    );
  }

  async createSecurityGroup(draft: NewObject, commit: Commit): Promise<void> {
    await this.allocator.allocate(
      'sg-id',
      (taken) => nextInt(8_000_000, 0xffffffff, taken),
      async (key) => {
        draft.body.security_group_id = Number(key);
        draft.claims = [{ pool: 'sg-id', key }];
        await commit([]);
      },
    );
  }

  async createTagType(draft: NewObject, commit: Commit): Promise<void> {
    const name = draft.fqName.at(-1)!;
    const known = WELL_KNOWN_TAG_TYPES[name];
    await this.allocator.allocate(
      'tag-type-id',
      (taken) =>
        known !== undefined
          ? taken(String(known))
            ? undefined
            : String(known)
          : nextInt(0x100, 0xffff, taken),
      async (key) => {
        draft.body.tag_type_id = `0x${Number(key).toString(16).padStart(4, '0')}`;
        draft.claims = [{ pool: 'tag-type-id', key }];
        await commit([]);
      },
    );
  }

  /** Tags: finds or creates the tag-type, allocates the value id; tag_id = type id << 16 | value id. */
  async createTag(draft: NewObject, commit: Commit): Promise<void> {
    const typeName = draft.body.tag_type_name as string;
    let tt = await this.store.fqNameToUuid('tag-type', [typeName]);
    if (!tt) {
      const t: NewObject = {
        type: 'tag-type',
        uuid: randomUUID(),
        fqName: [typeName],
        refs: [],
        claims: [],
        body: { name: typeName },
      };
      try {
        await this.createTagType(t, async () => this.store.commit([{ op: 'create', object: t }]));
      } catch (e) {
        if (!(e instanceof ConflictError && e.kind === 'exists')) throw e;
      }
      tt = await this.store.fqNameToUuid('tag-type', [typeName]);
      if (!tt) throw new ConflictError('exists', `tag-type ${typeName} could not be created`);
    }
    const typeObj = (await this.store.get(tt))!;
    const typeId = Number.parseInt(String(typeObj.body.tag_type_id), 16);
    draft.refs = [...draft.refs.filter((r) => r.type !== 'tag-type'), { type: 'tag-type', uuid: tt }];
    await this.allocator.allocate(
      `tag-id:${typeName}`,
      (taken) => nextInt(1, 0xffff, taken),
      async (key) => {
        draft.body.tag_id = `0x${(((typeId << 16) | Number(key)) >>> 0).toString(16).padStart(8, '0')}`;
        draft.claims = [{ pool: `tag-id:${typeName}`, key }];
        await commit([]);
      },
    );
  }
}
