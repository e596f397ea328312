import type { AuthUser } from '../auth/scope.js';
import type { Lang } from '../i18n/index.js';

/** What the middleware of server/app.ts adds to every request. */
declare module 'express-serve-static-core' {
  interface Request {
    /** The signed-in user (session for pages, bearer token for the API); unset for anonymous requests. */
    user?: AuthUser;
    /** The reader's language: their choice (cookie), their account's, the browser's, then DEFAULT_LANG. */
    lang: Lang;
  }
}

/** A one-shot message carried across a redirect (Post/Redirect/Get). */
export interface Flash {
  type: 'success' | 'error';
  key: string;
  params?: Record<string, string | number>;
  /** form field → catalogue key of its problem */
  fields?: Record<string, string>;
  /** what the user had typed, to refill the form (never passwords or the CSRF token) */
  values?: Record<string, unknown>;
}

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    flash?: Flash;
  }
}

export function isApiRequest(req: { originalUrl: string }): boolean {
  return req.originalUrl.startsWith('/api/');
}
