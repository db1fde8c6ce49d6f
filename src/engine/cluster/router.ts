/**
 * Which node delivers a target's tasks, from the registry's owner map. Pure data and decisions; no Redis here (the
 * dispatcher asks it synchronously for every target). A task for a target neither this node nor the map knows waits
 * until the forwarder has read the map afresh (the map lags by up to one heartbeat); still unknown then, the target
 * is `released`: delivered here as in single-node mode (it goes dead: WHT_ERR_TARGET_UNKNOWN, retryable later).
 */
import { nodeQueue, poolQueue } from './bus.js';

export const POOL_PREFIX = 'pool:';

export class ClusterRouter {
  readonly node: string;
  readonly #local: ReadonlySet<string>;
  #owners: Readonly<Record<string, string>> | null = null;
  readonly #released = new Set<string>();
  readonly #onChange: () => void;

  /** `local`: this node's target names (`default` is always local). `onChange`: the owner map changed. */
  constructor(node: string, local: readonly string[], onChange: () => void = () => undefined) {
    this.node = node;
    this.#local = new Set([...local, 'default']);
    this.#onChange = onChange;
  }

  get known(): boolean {
    return this.#owners !== null;
  }

  setOwners(owners: Readonly<Record<string, string>>): void {
    const before = JSON.stringify(this.#owners);
    this.#owners = { ...owners };
    for (const t of Object.keys(owners)) this.#released.delete(t);
    if (JSON.stringify(this.#owners) !== before) this.#onChange();
  }

  /** Targets among these that nobody is known to own yet (to be looked up afresh, then released). */
  unknown(targets: readonly string[]): string[] {
    return targets.filter(
      (t) =>
        !this.#local.has(t) && !t.startsWith(POOL_PREFIX) && this.#owners?.[t] === undefined && !this.#released.has(t),
    );
  }

  /** No node owns these even after a fresh look: deliver (fail) them here. */
  release(targets: readonly string[]): void {
    if (targets.length === 0) return;
    for (const t of targets) this.#released.add(t);
    this.#onChange();
  }

  /** This node types the target's tasks itself. */
  owns(target: string): boolean {
    if (this.#local.has(target)) return true;
    if (target.startsWith(POOL_PREFIX) || this.#owners === null) return false;
    const owner = this.#owners[target];
    return owner === undefined ? this.#released.has(target) : owner === this.node;
  }

  /** Where a task for a target this node does not own goes: its owner's queue, or its pool's. */
  route(target: string): { queue: string; node: string | null } | null {
    if (target.startsWith(POOL_PREFIX)) return { queue: poolQueue(target.slice(POOL_PREFIX.length)), node: null };
    const owner = this.#owners?.[target];
    if (owner === undefined || this.owns(target)) return null;
    return { queue: nodeQueue(owner), node: owner };
  }

  /** The targets among these that are forwarded (not owned here, and whose destination is known). */
  remote(targets: readonly string[]): string[] {
    return targets.filter((t) => this.route(t) !== null);
  }

  ownerOf(target: string): string | null {
    if (this.#local.has(target)) return this.node;
    return this.#owners?.[target] ?? null;
  }
}
