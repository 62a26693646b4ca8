/**
 * What every page shares: the API client for the signed-in token, who that token is (write controls
 * only for admin), the project and chosen environment, and the live event stream's subscribers.
 */
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import type { Api } from "./api/client.js";
import { type LiveEvent, openEventStream, type StreamState } from "./api/event-stream.js";
import type { Project, WhoAmI } from "./api/types.js";

export type LiveSignal = LiveEvent | { readonly type: "resync" };

export interface Session {
  readonly api: Api;
  readonly who: WhoAmI;
  readonly canWrite: boolean;
  readonly project: Project;
  readonly env: string;
  setEnv(env: string): void;
  readonly stream: StreamState;
  subscribe(listener: (e: LiveSignal) => void): () => void;
  /** Who an audit actor (a token id) is, when this token may list tokens; else the id itself. */
  actorName(actor: string): string;
  signOut(): void;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (s === undefined) throw new Error("useSession outside a signed-in session");
  return s;
}

/** Calls `handler` for every live event (and "resync" after a reconnect); the latest handler is used. */
export function useLive(handler: (e: LiveSignal) => void): void {
  const { subscribe } = useSession();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => subscribe((e) => ref.current(e)), [subscribe]);
}

const ENV_KEY = "ramp.env";

function firstEnv(project: Project, who: WhoAmI): string {
  const keys = project.environments.map((e) => e.key);
  const kept = sessionStorage.getItem(ENV_KEY);
  if (who.environment !== null && keys.includes(who.environment)) return who.environment;
  if (kept !== null && keys.includes(kept)) return kept;
  return keys.includes("production") ? "production" : (keys[0] ?? "production");
}

export function SessionProvider(props: {
  api: Api;
  who: WhoAmI;
  project: Project;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const { api, who, project, onSignOut } = props;
  const [env, setEnvState] = useState(() => firstEnv(project, who));
  const [stream, setStream] = useState<StreamState>("connecting");
  const listeners = useRef(new Set<(e: LiveSignal) => void>());

  useEffect(
    () =>
      openEventStream({
        token: api.token,
        onEvent: (e) => {
          for (const l of listeners.current) l(e);
        },
        onResync: () => {
          for (const l of listeners.current) l({ type: "resync" });
        },
        onState: setStream,
        onUnauthorized: onSignOut,
      }),
    [api, onSignOut],
  );

  // Token names for the audit's actors: admins only (tokens are an admin route), re-read when tokens change.
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    if (who.scope !== "admin") return;
    let live = true;
    const load = () =>
      api.tokens().then(
        (ts) => live && setNames(new Map(ts.map((t) => [t.id, t.name ?? `${t.scope} token`]))),
        () => undefined,
      );
    const onToken = (e: LiveSignal) => {
      if (e.type === "audit" && e.data.kind === "token") void load();
    };
    void load();
    listeners.current.add(onToken);
    return () => {
      live = false;
      listeners.current.delete(onToken);
    };
  }, [api, who.scope]);
  const actorName = useCallback((actor: string) => names.get(actor) ?? actor, [names]);

  const subscribe = useCallback((listener: (e: LiveSignal) => void) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);

  const value = useMemo<Session>(
    () => ({
      api,
      who,
      canWrite: who.scope === "admin",
      project,
      env,
      setEnv: (e: string) => {
        sessionStorage.setItem(ENV_KEY, e);
        setEnvState(e);
      },
      stream,
      subscribe,
      actorName,
      signOut: onSignOut,
    }),
    [api, who, project, env, stream, subscribe, actorName, onSignOut],
  );
  return <SessionContext.Provider value={value}>{props.children}</SessionContext.Provider>;
}
