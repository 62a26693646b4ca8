/**
 * The app shell: sign-in until a token is accepted, then the navigation, the environment picker, the
 * live stream's state, and the page for the current route.
 */

import { useCallback, useEffect, useState } from "react";
import { Api, ApiError } from "./api/client.js";
import type { Project, Scope, WhoAmI } from "./api/types.js";
import { Field } from "./components/field.js";
import { AuditPage } from "./pages/audit-page.js";
import { FlagPage } from "./pages/flag/flag-page.js";
import { FlagsPage } from "./pages/flags-page.js";
import { RolloutPage } from "./pages/rollout/rollout-page.js";
import { RolloutsPage } from "./pages/rollouts-page.js";
import { SignIn } from "./pages/sign-in.js";
import { Link, parseRoute, useLocation } from "./router.js";
import { forgetToken, storedToken, storeToken } from "./session.js";
import { SessionProvider, useSession } from "./session-context.js";

interface SignedIn {
  readonly api: Api;
  readonly who: WhoAmI;
  readonly project: Project;
}

/** Checks a token: who it is (GET /api/v1/whoami) and the project it reaches. */
export async function signIn(token: string): Promise<SignedIn> {
  const api = new Api(token);
  const who = await api.whoami();
  if (who.scope !== "admin" && who.scope !== "read")
    throw new ApiError(
      403,
      "forbidden",
      `this is a ${who.scope} SDK token; the dashboard needs an admin or a read-only token`,
    );
  return { api, who, project: await api.project() };
}

export function App() {
  const [session, setSession] = useState<SignedIn | undefined>(undefined);
  const [checking, setChecking] = useState(() => storedToken() !== null);
  const [error, setError] = useState<Error | undefined>(undefined);

  const submit = useCallback(async (token: string) => {
    setChecking(true);
    try {
      const s = await signIn(token.trim());
      storeToken(token.trim());
      setSession(s);
      setError(undefined);
    } catch (e) {
      forgetToken();
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    const token = storedToken();
    if (token !== null) void submit(token);
  }, [submit]);

  const signOut = useCallback(() => {
    forgetToken();
    setSession(undefined);
  }, []);

  if (session === undefined && checking && error === undefined && storedToken() !== null)
    return (
      <main className="sign-in" id="main" aria-busy="true">
        <p>Signing in…</p>
      </main>
    );
  if (session === undefined) return <SignIn onSubmit={submit} error={error} checking={checking} />;
  return (
    <SessionProvider api={session.api} who={session.who} project={session.project} onSignOut={signOut}>
      <Shell />
    </SessionProvider>
  );
}

const SCOPE_LABEL: Record<Scope, string> = {
  admin: "admin",
  read: "read-only",
  server: "server",
  client: "client",
};

function Shell() {
  const { pathname } = useLocation();
  const route = parseRoute(pathname);
  const s = useSession();
  const section = route.page === "flag" ? "flags" : route.page === "rollout" ? "rollouts" : route.page;

  useEffect(() => {
    const title =
      route.page === "flag"
        ? route.key
        : route.page === "rollout"
          ? route.name
          : section[0]?.toUpperCase() + section.slice(1);
    document.title = `${title} · Ramp`;
  }, [route, section]);

  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/flags" className="brand">
          Ramp
        </Link>
        <nav aria-label="Sections">
          {(["flags", "rollouts", "audit"] as const).map((p) => (
            <Link key={p} href={`/${p}`} aria-current={section === p ? "page" : undefined}>
              {p === "audit" ? "Audit log" : p[0]?.toUpperCase() + p.slice(1)}
            </Link>
          ))}
        </nav>
        <div className="top-right">
          <Field label="Environment" className="env-picker">
            <select value={s.env} onChange={(e) => s.setEnv(e.target.value)}>
              {s.project.environments.map((e) => (
                <option key={e.key} value={e.key}>
                  {e.name === e.key ? e.key : `${e.name} (${e.key})`}
                </option>
              ))}
            </select>
          </Field>
          <span className={`stream stream-${s.stream}`} role="status" title="live updates from the server">
            {s.stream === "live" ? "● live" : s.stream === "connecting" ? "connecting…" : "reconnecting…"}
          </span>
          <span className="who" title={s.who.name ?? undefined}>
            {SCOPE_LABEL[s.who.scope]}
          </span>
          <button type="button" onClick={s.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === "flags" && <FlagsPage />}
        {route.page === "flag" && <FlagPage key={route.key} flagKey={route.key} />}
        {route.page === "rollouts" && <RolloutsPage />}
        {route.page === "rollout" && <RolloutPage key={route.name} name={route.name} />}
        {route.page === "audit" && <AuditPage />}
      </main>
    </div>
  );
}
