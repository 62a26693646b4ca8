/**
 * Dry-run writes: the real write path (validation, If-Match, conflict checks, audit, change record)
 * runs in full inside its transaction, which is then rolled back. So a dry run answers exactly what
 * the write would — same checks, same errors, the document as it would be stored — and keeps nothing:
 * change notifications fire only after a commit, and the rollback leaves versions and the audit chain as they were.
 */
import type { Store, WriteTx } from "../store/store.js";

class RolledBack<T> extends Error {
  constructor(readonly value: T) {
    super("dry run: rolled back");
  }
}

/** The store with every `write` rolled back after it succeeds; its result is still returned. */
export function rollbackStore(store: Store): Store {
  const write = async <T>(projectId: number, fn: (tx: WriteTx) => Promise<T>): Promise<T> => {
    try {
      await store.write(projectId, async (tx) => {
        throw new RolledBack(await fn(tx));
      });
    } catch (e) {
      if (e instanceof RolledBack) return e.value as T;
      throw e;
    }
    throw new Error("unreachable: a rolled-back write returned");
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === "write") return write;
      const value: unknown = Reflect.get(target, property, target);
      // Bound to the real store: its methods use private fields a proxy receiver would not have.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
