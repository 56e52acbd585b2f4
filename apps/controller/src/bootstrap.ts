// The objects every deployment starts with, as in Tungsten Fabric: default-domain, default-project,
// default-global-system-config, default-global-vrouter-config (TF's default encapsulation priority),
// default-policy-management, default-network-ipam and the ip-fabric network with its __default__ routing
// instance (parent of bgp-router objects). Idempotent and safe when several controllers on one etcd start
// at once.
import { randomUUID } from 'node:crypto';
import { scopeOf } from './api/scope.js';
import type { ConfigService } from './api/service.js';
import { ANONYMOUS_ADMIN } from './auth/tokens.js';
import { DEFAULT_ENCAPSULATION_PRIORITIES } from './control/config/desired.js';
import { ConflictError } from './errors.js';
import { RESOURCES } from './schema/resources.js';

export async function bootstrap(service: ConfigService, asn: number): Promise<void> {
  const scope = await scopeOf(service.store, { ...ANONYMOUS_ADMIN, name: 'bootstrap' });
  const ensure = async (
    type: string,
    fq: string[],
    props: Record<string, unknown> = {},
    parentType?: string,
  ) => {
    if (await service.store.fqNameToUuid(type, fq)) return;
    try {
      await service.create(
        RESOURCES.get(type)!,
        { [type]: { fq_name: fq, ...(parentType ? { parent_type: parentType } : {}), ...props } },
        scope,
        '',
      );
    } catch (e) {
      // Another controller on the same etcd may be bootstrapping at the same moment.
      if (!(e instanceof ConflictError) || !(await service.store.fqNameToUuid(type, fq))) throw e;
    }
  };
  await ensure('domain', ['default-domain']);
  await ensure('project', ['default-domain', 'default-project']);
  await ensure('global-system-config', ['default-global-system-config'], { autonomous_system: asn });
  await ensure(
    'global-vrouter-config',
    ['default-global-system-config', 'default-global-vrouter-config'],
    { encapsulation_priorities: { encapsulation: [...DEFAULT_ENCAPSULATION_PRIORITIES] } },
    'global-system-config',
  );
  await ensure('policy-management', ['default-policy-management']);
  await ensure('network-ipam', ['default-domain', 'default-project', 'default-network-ipam']);
  await ensure('virtual-network', ['default-domain', 'default-project', 'ip-fabric']);
  const vn = await service.store.fqNameToUuid('virtual-network', [
    'default-domain',
    'default-project',
    'ip-fabric',
  ]);
  const fq = ['default-domain', 'default-project', 'ip-fabric', '__default__'];
  if (vn && !(await service.store.fqNameToUuid('routing-instance', fq))) {
    try {
      await service.store.commit([
        {
          op: 'create',
          object: {
            type: 'routing-instance',
            uuid: randomUUID(),
            fqName: fq,
            parentType: 'virtual-network',
            parentUuid: vn,
            refs: [],
            claims: [],
            body: { routing_instance_is_default: true, display_name: '__default__' },
          },
        },
      ]);
    } catch (e) {
      if (!(e instanceof ConflictError && e.kind === 'exists')) throw e;
    }
  }
}
