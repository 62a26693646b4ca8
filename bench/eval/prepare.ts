/** Builds the contexts and every contender, and runs the correctness gate; shared by run.ts and its test. */
import { type CheckReport, checkContenders } from "./check.js";
import type { Contender } from "./contender.js";
import { CONTENDERS } from "./contenders/index.js";
import { createRamp } from "./contenders/ramp.js";
import { generateContexts } from "./contexts.js";
import type { BenchOptions } from "./options.js";
import type { BenchContext } from "./scenario.js";

export interface Prepared {
  readonly contexts: readonly BenchContext[];
  /** The floor first, then ramp and the peers. */
  readonly contenders: readonly [Contender, ...Contender[]];
  /** Ramp in the environment where `new_checkout` is switched off. */
  readonly killSwitch: Contender;
}

export async function prepare(options: BenchOptions): Promise<Prepared> {
  const contexts = generateContexts(options.contexts, options.seed);
  const [createFloor, ...createOthers] = CONTENDERS;
  if (createFloor === undefined) throw new Error("no contenders");
  const floor = await createFloor(contexts);
  const others: Contender[] = [];
  try {
    for (const create of createOthers) others.push(await create(contexts));
    return { contexts, contenders: [floor, ...others], killSwitch: createRamp(contexts, "staging") };
  } catch (error) {
    // Release the clients already started, or their timers would keep the process alive.
    for (const contender of [floor, ...others]) await contender.close();
    throw error;
  }
}

/** The correctness gate; the kill switch must answer off for everyone. */
export async function verify(prepared: Prepared): Promise<CheckReport> {
  const [floor, ...others] = prepared.contenders;
  const report = await checkContenders(prepared.contexts, floor, others);
  const on = await prepared.killSwitch.sweep(new Uint8Array(prepared.contexts.length));
  if (on === 0) return report;
  const problem = `${prepared.killSwitch.name}: the kill switch served on to ${on} context(s)`;
  return { ...report, problems: [...report.problems, problem] };
}

export async function closeAll(prepared: Prepared): Promise<void> {
  for (const contender of [...prepared.contenders, prepared.killSwitch]) await contender.close();
}
