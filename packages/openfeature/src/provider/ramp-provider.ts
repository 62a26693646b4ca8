/**
 * RampProvider: the OpenFeature server provider. Flags are evaluated in-process by the engine on the
 * last good snapshot; a stream keeps that snapshot current; evaluation never waits on the network and
 * never throws.
 */
import {
  ErrorCode,
  type EvaluationContext,
  type JsonValue,
  type Logger,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
  type TrackingEventDetails,
} from "@openfeature/server-sdk";
import type { ValueType } from "@ramp/engine";
import type { EvaluationCounter } from "../reporting/evaluation-counter.js";
import { trackedEvent } from "../reporting/tracking-event.js";
import { UsageReporter } from "../reporting/usage-reporter.js";
import { FileCache } from "../sync/file-cache.js";
import { compileFlags, type FlagSource, FlagStore } from "../sync/flag-store.js";
import { FlagSync } from "../sync/flag-sync.js";
import { EngineClient, type RampEngineClient } from "./engine-client.js";
import {
  isOffline,
  type RampOfflineOptions,
  type RampProviderOptions,
  type ResolvedServerOptions,
  resolveServerOptions,
} from "./options.js";
import { evaluateAs, generalError, notReady, toResolution } from "./resolution.js";

/** What is being served, for health checks and logs. */
export interface RampFlagsState {
  readonly environment: string;
  readonly version: number;
  readonly source: FlagSource;
  readonly flagCount: number;
}

/**
 * @example
 * import { OpenFeature } from "@openfeature/server-sdk";
 * import { RampProvider } from "@ramp/openfeature";
 *
 * await OpenFeature.setProviderAndWait(
 *   new RampProvider({ url: "https://ramp.example.com", token: process.env.RAMP_SDK_TOKEN, cacheFile: ".ramp/flags.json" }),
 * );
 * const enabled = await OpenFeature.getClient().getBooleanValue("new_checkout", false, { targetingKey: userId });
 */
export class RampProvider implements Provider {
  readonly metadata = { name: "ramp" } as const;
  readonly runsOn = "server" as const;
  readonly events = new OpenFeatureEventEmitter();

  readonly #store = new FlagStore();
  readonly #sync: FlagSync | undefined;
  readonly #reporter: UsageReporter | undefined;
  readonly #counter: EvaluationCounter | undefined;
  readonly #now: () => number;
  readonly #logger: Logger | undefined;

  /** Throws a TypeError when an option is unusable, or an Error listing an offline file's problems. */
  constructor(options: RampProviderOptions) {
    if (isOffline(options)) {
      this.#loadOffline(options);
      this.#now = Date.now;
      this.#logger = options.logger;
      return;
    }
    const resolved = resolveServerOptions(options);
    this.#now = () => resolved.clock.now();
    this.#logger = resolved.logger;
    this.#reporter = reporterFor(resolved);
    this.#counter = resolved.sendEvaluationMetrics ? this.#reporter.evaluations : undefined;
    const cache = resolved.cacheFile === undefined ? undefined : new FileCache(resolved.cacheFile, this.#now);
    this.#sync = new FlagSync(
      this.#store,
      { ...resolved, cache },
      {
        onReady: (message) => this.events.emit(ProviderEvents.Ready, { message }),
        onStale: (message) => this.events.emit(ProviderEvents.Stale, { message }),
        onError: (message, fatal) =>
          this.events.emit(
            ProviderEvents.Error,
            fatal ? { message, errorCode: ErrorCode.PROVIDER_FATAL } : { message },
          ),
        onConfigurationChanged: (flagsChanged, version) =>
          this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged, metadata: { version } }),
      },
    );
  }

  /**
   * A provider serving a flag file with no server (tests, benchmarks, air-gapped runs). The file is
   * compiled strictly: its problems are thrown here, with their paths.
   * @example RampProvider.fromFile(YAML.parse(readFileSync("flags.yaml", "utf8")), "production")
   */
  static fromFile(file: unknown, environment?: string): RampProvider {
    return new RampProvider({ offline: environment === undefined ? { file } : { file, environment } });
  }

  /** Resolves once flags are loaded: from the stream's first put, or from `cacheFile` if the server is unreachable. */
  async initialize(): Promise<void> {
    if (this.#sync === undefined) return;
    this.#reporter?.start();
    await this.#sync.start();
  }

  /** Closes the stream and sends the counts and events still waiting. */
  async onClose(): Promise<void> {
    await this.#sync?.stop();
    await this.#reporter?.stop();
  }

  resolveBooleanEvaluation(
    key: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.#resolve(key, defaultValue, context, "boolean"));
  }

  resolveStringEvaluation(
    key: string,
    defaultValue: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.#resolve(key, defaultValue, context, "string"));
  }

  resolveNumberEvaluation(
    key: string,
    defaultValue: number,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.#resolve(key, defaultValue, context, "number"));
  }

  resolveObjectEvaluation<T extends JsonValue>(
    key: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.#resolve(key, defaultValue, context, "object"));
  }

  /**
   * OpenFeature tracking: queued, then sent in batches to POST /sdk/v1/events with the context's
   * targeting key. Never throws; does nothing for an offline provider.
   */
  track(name: string, context: EvaluationContext, details?: TrackingEventDetails): void {
    try {
      this.#reporter?.track(trackedEvent(name, context ?? {}, details, this.#now()));
    } catch (error) {
      this.#logger?.warn(`ramp: track('${name}') failed: ${String(error)}`);
    }
  }

  /**
   * The synchronous fast path on the same flags: no promise, no hooks, no per-call events. Hold on
   * to it; it always reads the current flags.
   */
  engineClient(): RampEngineClient {
    return new EngineClient(this.#store, this.#counter);
  }

  /** The flags being served, or undefined before any arrived. */
  get flags(): RampFlagsState | undefined {
    const current = this.#store.current;
    if (current === undefined) return undefined;
    const { environment, version, file } = current.snapshot;
    return { environment, version, source: current.source, flagCount: Object.keys(file.flags).length };
  }

  /** Sends waiting evaluation counts and events now (they also go out on a timer). */
  async flush(): Promise<void> {
    await this.#reporter?.flush();
  }

  #resolve<T extends JsonValue>(
    key: string,
    defaultValue: T,
    context: EvaluationContext,
    type: ValueType,
  ): ResolutionDetails<T> {
    try {
      const evaluator = this.#store.evaluator;
      if (evaluator === undefined) return notReady(defaultValue, "ramp: no flags loaded yet");
      const details = toResolution(evaluateAs(evaluator, key, context, type), defaultValue, type);
      if (details.variant !== undefined) this.#counter?.count(key, details.variant);
      return details;
    } catch (error) {
      return generalError(defaultValue, error);
    }
  }

  #loadOffline(options: RampOfflineOptions): void {
    const { file, environment } = options.offline;
    const compiled = compileFlags(file, environment, false);
    if (!compiled.ok) throw new Error(`RampProvider.fromFile: ${compiled.message}`);
    this.#store.load({
      snapshot: { environment: compiled.environment, version: 0, file: compiled.file },
      evaluator: compiled.evaluator,
      source: "file",
    });
  }
}

function reporterFor(options: ResolvedServerOptions): UsageReporter {
  return new UsageReporter({
    target: {
      baseUrl: options.baseUrl,
      token: options.token,
      fetch: options.fetch,
      timeoutMs: options.requestTimeoutMs,
    },
    flushIntervalMs: options.flushIntervalMs,
    eventBatchSize: options.eventBatchSize,
    maxBufferedEvents: options.maxBufferedEvents,
    clock: options.clock,
    logger: options.logger,
  });
}
