/**
 * The portal's first requests, sent before the rest of its code is even compiled. index.html loads this module
 * as its own `async` script (web/vite.config.ts adds the tag), so it runs as soon as it arrives, while the
 * browser still parses and runs React, i18next and the pages; the app then imports the same module (one
 * instance: same URL) and its API clients take the answers from here instead of asking again (`takeEarly`).
 *
 * Asked early: the session, and, on the pages that show the sub-account list first, that list when the last
 * session of this browser left its prefix (and space) behind. The App drops the list if the session then names
 * another prefix or space, or is signed out (the early answer is a refusal then, never someone else's data).
 *
 * Nothing here may import anything: this file is the whole script.
 */

/** What this browser remembers between visits (no secret: a path prefix and a team's public id). */
export const PREFIX_STORE = 'tollgate.portal.prefix';
export const TEAM_STORE = 'tollgate.portal.team';
/** Where the language switch stores its choice (web/shared/i18n.ts, detection order). */
export const LANGUAGE_STORE = 'tollgate.portal.lng';

/** The pages that show the sub-account list first. */
const LIST_PAGES = new Set(['/', '/sub-accounts', '/proxy']);

export function stored(key: string): string {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
}

/**
 * The language i18next will settle on, found the way its detector looks (`?lng=`, the stored choice, the
 * browser's languages). Set on the page at once, so requests made before i18next starts carry it too.
 */
function detectLanguage(): 'en' | 'zh' {
  const candidates = [
    new URLSearchParams(location.search).get('lng') ?? '',
    stored(LANGUAGE_STORE),
    ...(navigator.languages ?? [navigator.language]),
  ];
  for (const c of candidates) {
    if (c.startsWith('zh')) return 'zh';
    if (c.startsWith('en')) return 'en';
  }
  return 'en';
}

interface Early {
  readonly response: Promise<Response>;
  readonly language: string;
}

const pending = new Map<string, Early>();

function ask(url: URL, language: string): void {
  // Failures are the caller's to see when it takes the answer; unhandled until then is not an error.
  const response = fetch(url, { credentials: 'same-origin', headers: { Language: language } });
  response.catch(() => {});
  pending.set(url.href, { response, language });
}

/** The sub-account list asked for early, with its prefix and space; undefined when none was. */
export const earlyList: { readonly prefix: string; readonly teamId: string } | undefined = (() => {
  const language = detectLanguage();
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  ask(new URL('/web/session', location.href), language);
  const prefix = stored(PREFIX_STORE);
  if (prefix === '' || !LIST_PAGES.has(location.pathname)) return undefined;
  const teamId = stored(TEAM_STORE);
  const list = new URL(`${prefix}/whitelist-account/list`, location.href);
  // As the portal's team middleware adds it (web/portal/api.ts), so the URLs compare equal.
  if (teamId !== '') list.searchParams.set('team_id', teamId);
  ask(list, language);
  return { prefix, teamId };
})();

/**
 * The answer to `request` if it was asked for early, once: a GET of the same URL in the same language.
 * Anything else (another language chosen since, a second call) goes to the network.
 */
export function takeEarly(request: Request): Promise<Response> | undefined {
  if (request.method !== 'GET') return undefined;
  const early = pending.get(request.url);
  if (early === undefined) return undefined;
  pending.delete(request.url);
  return request.headers.get('Language') === early.language ? early.response : undefined;
}
