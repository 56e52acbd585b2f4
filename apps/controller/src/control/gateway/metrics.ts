// Prometheus series of the BGP gateways, read from the speaker at scrape time (nothing is counted on the route
// path): session state, routes received and advertised and UPDATEs received per peer, exported and imported
// routes, RT membership routes.
import { LabeledGauge, type Registry } from '../../metrics.js';
import type { GatewayManager } from './gateway-manager.js';

export function registerGatewayMetrics(registry: Registry, gw: GatewayManager): void {
  const perPeer = (
    name: string,
    help: string,
    value: (p: ReturnType<GatewayManager['peers']>[number]) => number,
  ) => {
    const g = registry.add(new LabeledGauge(name, help));
    g.read = () => gw.peers().map((p) => [{ peer: p.address }, value(p)]);
  };
  perPeer('filament_bgp_peer_up', 'Gateway BGP sessions: 1 when Established.', (p) =>
    p.state === 'Established' ? 1 : 0,
  );
  perPeer(
    'filament_bgp_routes_received',
    'Routes in the Adj-RIB-In of each gateway.',
    (p) => p.routesReceived,
  );
  perPeer('filament_bgp_routes_advertised', 'Routes advertised to each gateway.', (p) => p.routesAdvertised);
  perPeer(
    'filament_bgp_updates_received',
    'UPDATE messages received from each gateway (all sessions).',
    (p) => p.updatesReceived,
  );
  perPeer(
    'filament_bgp_session_flaps',
    'Sessions with each gateway that went down after Established.',
    (p) => p.flaps,
  );
  const totals = registry.add(
    new LabeledGauge('filament_bgp_routes', 'Routes the gateways export and import, by kind.'),
  );
  totals.read = () => {
    const c = gw.counts();
    return [
      [{ kind: 'exported' }, c.exported],
      [{ kind: 'imported' }, c.imported],
      [{ kind: 'rt-membership' }, c.membership],
    ];
  };
}
