/** Sign-in: an admin or read-only token, kept for this browser tab's session only. */
import { type FormEvent, useState } from "react";

export function SignIn(p: { onSubmit(token: string): void; error: Error | undefined; checking: boolean }) {
  const [token, setToken] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim() !== "") p.onSubmit(token);
  };
  return (
    <main className="sign-in" id="main">
      <form onSubmit={submit} aria-describedby="sign-in-help">
        <h1>Ramp</h1>
        <p id="sign-in-help">
          Sign in with an admin or a read-only API token. <code>npm start</code> prints a link that signs you
          in; an admin creates read-only tokens with <code>ramp token create --scope read</code>.
        </p>
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="ramp_admin_…"
          required
        />
        {p.error !== undefined && (
          <p className="error-box" role="alert">
            {p.error.message}
          </p>
        )}
        <button type="submit" className="primary" disabled={p.checking}>
          {p.checking ? "Signing in…" : "Sign in"}
        </button>
        <p className="hint">The token stays in this tab (sessionStorage) and is sent only to this server.</p>
      </form>
    </main>
  );
}
