// RT-constraint (RFC 4684) towards gateways: the controller advertises one RT membership route per route target
// that some instance with subscribed agents imports, so a gateway that negotiated the RTC family sends only VPN
// and EVPN routes someone here wants (TF's control node does the same from its VRFs' import targets).
import { type BgpSpeaker, membershipNlri } from '@filament/bgp';

export class RtMembershipAdvertiser {
  /** Route target -> number of interested instances importing it. */
  private readonly counts = new Map<string, number>();
  /** Instance -> the targets it contributes (so a change of its import targets is undone exactly). */
  private readonly byInstance = new Map<string, readonly string[]>();

  constructor(private readonly speaker: () => BgpSpeaker) {}

  /** Sets the targets an interested instance imports; an empty list (or `undefined`) drops its interest. */
  set(instance: string, importTargets: readonly string[] | undefined): void {
    const old = this.byInstance.get(instance) ?? [];
    const now = importTargets ?? [];
    if (old.length === now.length && old.every((t, i) => t === now[i])) return;
    if (now.length > 0) this.byInstance.set(instance, [...now]);
    else this.byInstance.delete(instance);
    for (const t of now) this.bump(t, 1);
    for (const t of old) this.bump(t, -1);
  }

  /** The route targets advertised now. */
  targets(): string[] {
    return [...this.counts.keys()];
  }

  /** Announces every membership again (a new speaker). */
  replay(): void {
    for (const t of this.counts.keys()) this.announce(t);
  }

  private bump(target: string, delta: 1 | -1): void {
    const c = (this.counts.get(target) ?? 0) + delta;
    if (c > 0) {
      this.counts.set(target, c);
      if (c === 1 && delta === 1) this.announce(target);
      return;
    }
    this.counts.delete(target);
    const s = this.speaker();
    s.withdraw({ family: 'ipv4-rtc', nlri: membershipNlri(s.localAs, target) });
  }

  private announce(target: string): void {
    const s = this.speaker();
    s.announce({ family: 'ipv4-rtc', nlri: membershipNlri(s.localAs, target), nextHop: s.routerId });
  }
}
