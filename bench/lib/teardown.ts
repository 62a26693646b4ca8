/**
 * Cleanup for benchmarks that start real processes: steps run once, newest first, whether the run
 * succeeded, threw, or was interrupted by SIGINT / SIGTERM.
 */

interface Step {
  readonly name: string;
  readonly run: () => void | Promise<void>;
}

export class Teardown {
  private readonly steps: Step[] = [];
  private running: Promise<void> | undefined;

  /** Registers `run` to undo something that has just been set up. */
  defer(name: string, run: () => void | Promise<void>): void {
    if (this.running !== undefined) throw new Error(`teardown: '${name}' registered after teardown began`);
    this.steps.push({ name, run });
  }

  /**
   * Runs every step, newest first; a failing step does not stop the others. Rejects with all failures
   * together. Calling it again returns the same promise.
   */
  run(): Promise<void> {
    this.running ??= this.runSteps();
    return this.running;
  }

  /**
   * Until the returned function is called, SIGINT and SIGTERM run the teardown and then exit with the
   * conventional 128 + signal number.
   */
  onSignals(log: (message: string) => void = console.error): () => void {
    const handler = (signal: NodeJS.Signals): void => {
      log(`\n${signal}: stopping everything that was started`);
      const code = 128 + (signal === "SIGINT" ? 2 : 15);
      this.run().then(
        () => process.exit(code),
        (error: unknown) => {
          log(String(error));
          process.exit(code);
        },
      );
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
    return () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    };
  }

  private async runSteps(): Promise<void> {
    const failures: string[] = [];
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      try {
        await step.run();
      } catch (error) {
        failures.push(`${step.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.length > 0) throw new Error(`teardown failed: ${failures.join("; ")}`);
  }
}
