/** Child processes of the benchmark: started, waited for (first stdout line is JSON), stopped. */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface Child<T> {
  readonly process: ChildProcess;
  readonly info: T;
}

/** Runs `bench/dist/proxy/<script>` with node and waits for the JSON line it prints when ready. */
export async function startNodeChild<T>(script: string, args: readonly string[]): Promise<Child<T>> {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn(process.execPath, [path, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const stdout = child.stdout;
  if (stdout === null) throw new Error(`${script} has no stdout`);
  const lines = createInterface({ input: stdout });
  const info = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 10 s`)), 10_000);
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as T);
    });
  });
  return { process: child, info };
}

/** Sends SIGTERM, then SIGKILL if the child is still there after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
