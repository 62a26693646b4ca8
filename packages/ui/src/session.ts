/**
 * The session's token: kept in sessionStorage (gone with the tab), taken from `/#token=…` once and
 * removed from the address bar at once so it does not linger in history or screenshots.
 */
const KEY = "ramp.token";

export function takeTokenFromUrl(): void {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match?.[1] === undefined) return;
  sessionStorage.setItem(KEY, decodeURIComponent(match[1]));
  history.replaceState(history.state, "", window.location.pathname + window.location.search);
}

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
