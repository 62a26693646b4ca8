/**
 * Client-side routes on the History API (the server answers index.html for any dashboard path):
 * `/flags`, `/flags/:key`, `/rollouts`, `/rollouts/:name`, `/audit`.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from "react";

export type Route =
  | { readonly page: "flags" }
  | { readonly page: "flag"; readonly key: string }
  | { readonly page: "rollouts" }
  | { readonly page: "rollout"; readonly name: string }
  | { readonly page: "audit" };

export function parseRoute(pathname: string): Route {
  const parts = pathname
    .split("/")
    .filter((p) => p !== "")
    .map(decodeURIComponent);
  const [first, second] = parts;
  if (first === "flags" && second !== undefined) return { page: "flag", key: second };
  if (first === "rollouts" && second !== undefined) return { page: "rollout", name: second };
  if (first === "rollouts") return { page: "rollouts" };
  if (first === "audit") return { page: "audit" };
  return { page: "flags" };
}

const listeners = new Set<() => void>();

export function navigate(to: string): void {
  if (to === window.location.pathname + window.location.search) return;
  history.pushState(null, "", to);
  for (const l of listeners) l();
}

export function useLocation(): { pathname: string; search: string } {
  const [loc, setLoc] = useState(() => ({
    pathname: window.location.pathname,
    search: window.location.search,
  }));
  useEffect(() => {
    const update = () => setLoc({ pathname: window.location.pathname, search: window.location.search });
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return loc;
}

/** A real link (middle-click, copy address) that navigates in-app on a plain click. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={click} {...rest} />;
}
