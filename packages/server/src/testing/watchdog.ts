/**
 * A detached shell that outlives its parent just long enough to clean up after it: exit and signal
 * handlers cannot run when a process is SIGKILLed or crashes hard, and a child server in its own process
 * (or a daemonised postmaster) would outlive it.
 */
import { type ChildProcess, spawn } from "node:child_process";

/**
 * Runs `command` (output discarded) once process `pid` — by default this one — is gone. Kill the
 * returned process once the thing it guards has been stopped normally.
 */
export function spawnWatchdog(command: readonly string[], pid: number = process.pid): ChildProcess {
  const script = 'pid=$1; shift; while kill -0 "$pid" 2>/dev/null; do sleep 1; done; "$@" >/dev/null 2>&1';
  const watchdog = spawn("sh", ["-c", script, "watchdog", String(pid), ...command], {
    detached: true,
    stdio: "ignore",
  });
  watchdog.unref();
  return watchdog;
}
