/** The targets of each version, taken in turn, and the registry that keeps targets across reconfigurations. */
import { type PoolOptions, Target } from "./target.js";

/** The targets of one version in one configuration, taken in turn. */
export class Upstream {
  private next = 0;

  constructor(
    readonly version: string,
    readonly targets: readonly Target[],
  ) {}

  /** The next target in turn that is not ejected; if all are ejected, the next in turn regardless. */
  pick(now: number): Target {
    const targets = this.targets;
    const n = targets.length;
    const first = this.next;
    for (let k = 0; k < n; k++) {
      const i = (first + k) % n;
      const t = targets[i];
      if (t !== undefined && t.ejectedUntil <= now) {
        this.next = (i + 1) % n;
        return t;
      }
    }
    this.next = (first + 1) % n;
    const t = targets[first];
    if (t === undefined) throw new Error("an upstream has no targets");
    return t;
  }
}

/** Every target in use, by origin: a target listed by consecutive configurations keeps its pool and health. */
export class TargetRegistry {
  private readonly targets = new Map<string, Target>();

  constructor(private readonly options: PoolOptions) {}

  upstream(version: string, origins: readonly string[]): Upstream {
    return new Upstream(
      version,
      origins.map((origin) => {
        let t = this.targets.get(origin);
        if (t === undefined) {
          t = new Target(origin, this.options);
          this.targets.set(origin, t);
        }
        return t;
      }),
    );
  }

  /** Retires every target not in `inUse`. */
  prune(inUse: ReadonlySet<string>): void {
    for (const [origin, t] of this.targets) {
      if (!inUse.has(origin)) {
        this.targets.delete(origin);
        t.retire();
      }
    }
  }

  closeAll(): void {
    this.prune(new Set());
  }
}
