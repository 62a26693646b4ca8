/**
 * The Store contract, as one suite every implementation runs (sqlite.test.ts, postgres.test.ts); each
 * test gets a fresh, empty store from the factory. Its parts live in store-*.shared-test.ts.
 */
import { afterEach, beforeEach, describe } from "vitest";
import { describeConcurrency } from "./store-concurrency.shared-test.js";
import {
  type OpenStore,
  type StoreUnderTest,
  type SuiteContext,
  steppingClock,
} from "./store-contract-kit.shared-test.js";
import { describeDocuments } from "./store-documents.shared-test.js";
import { describeHistory } from "./store-history.shared-test.js";
import { describeRecords } from "./store-records.shared-test.js";

export type { OpenStore, StoreUnderTest } from "./store-contract-kit.shared-test.js";
export { until } from "./store-contract-kit.shared-test.js";

export function describeStoreContract(name: string, open: OpenStore): void {
  describe(`Store contract: ${name}`, () => {
    let subject: StoreUnderTest | undefined;
    let time = steppingClock();
    const errors: { error: unknown; context: string }[] = [];
    const current = (): StoreUnderTest => {
      if (subject === undefined) throw new Error("the store is only open inside a test");
      return subject;
    };
    const ctx: SuiteContext = {
      dialect: name,
      get subject() {
        return current();
      },
      get store() {
        return current().store;
      },
      at: (n) => time.at(n),
      errors,
    };

    beforeEach(async () => {
      time = steppingClock();
      errors.length = 0;
      subject = await open({
        clock: () => time.clock(),
        onError: (error, context) => errors.push({ error, context }),
      });
    });
    afterEach(async () => {
      await subject?.close();
      subject = undefined;
    });

    describeRecords(ctx);
    describeHistory(ctx);
    describeConcurrency(ctx);
    describeDocuments(ctx);
  });
}
