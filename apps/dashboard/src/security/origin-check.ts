import { normalizeHostName } from '@celers/monitoring';

/** What a browser said about where a state-changing request comes from. */
export interface RequestProvenance {
  /** `Origin` header. */
  origin: string | undefined;
  /** `Referer` header (used when there is no `Origin`). */
  referer: string | undefined;
  /** `Sec-Fetch-Site` header (fetch metadata). */
  fetchSite: string | undefined;
  /** The request's Host (`host[:port]`, already on the allow-list). */
  authority: string;
}

function explicitPort(authority: string): string | undefined {
  return /:(\d+)$/.exec(authority.replace(/^\[[^\]]*\]/, ''))?.[1];
}

/**
 * Why a state-changing request looks cross-site, or `null` when it does not. A request with neither `Origin`
 * nor `Referer` (a script, curl) passes here and still needs its CSRF token. The Origin (or Referer) must
 * name an allowed host, never merely equal the request's own Host (a DNS-rebinding page has Origin = Host =
 * its own name), and an Origin on another explicit port than the request's is another site.
 */
export function crossSiteReason(p: RequestProvenance, allowed: ReadonlySet<string>): string | null {
  if (p.fetchSite !== undefined && !['same-origin', 'none'].includes(p.fetchSite.toLowerCase()))
    return `the browser marked it ${p.fetchSite}`;
  const source = p.origin ?? p.referer;
  if (source === undefined) return null;
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return `unreadable ${p.origin !== undefined ? 'Origin' : 'Referer'}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `origin ${source.slice(0, 100)}`;
  const name = normalizeHostName(url.hostname);
  if (!allowed.has(name)) return `origin ${url.origin.slice(0, 100)} is not an allowed host`;
  // Another port is another site (a dev server on localhost:3000). Only compared when both name one: a proxy
  // on a default port sends Origins without a port, and may forward any Host.
  const requestPort = explicitPort(p.authority);
  if (url.port !== '' && requestPort !== undefined && url.port !== requestPort)
    return `origin ${url.origin} is on another port than this dashboard`;
  return null;
}
