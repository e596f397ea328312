/**
 * A tiny cookie-keeping client for the pages, as a browser without JavaScript would use them: it follows
 * redirects, keeps cookies, and posts forms with the CSRF token of the last page it saw.
 */
export interface Page {
  status: number;
  /** the path of the page finally shown, after redirects */
  path: string;
  html: string;
  headers: Headers;
  /** the text of the page without tags, spaces collapsed */
  text: string;
}

export class PageClient {
  private cookies = new Map<string, string>();
  private csrf: string | undefined;

  constructor(readonly baseUrl: string) {}

  async get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  /** Posts a form; adds the `_csrf` of the last page seen (fetching the form page first if none) unless `csrf: false`. */
  async post(path: string, fields: Record<string, string>, options: { csrf?: boolean; from?: string } = {}): Promise<Page> {
    if (options.csrf !== false && !this.csrf) await this.get(options.from ?? path);
    const body = new URLSearchParams(fields);
    if (options.csrf !== false && this.csrf) body.set('_csrf', this.csrf);
    return this.request('POST', path, body, options.from);
  }

  /**
   * Posts a multipart form (file uploads) the way the views write one: the CSRF token in the body, beside the file.
   *   await browser.upload('/resolutions/1/updates', { note: 'x' }, { attachment: new File([bytes], 'minutes.pdf') })
   */
  async upload(path: string, fields: Record<string, string>, files: Record<string, File> = {}, options: { csrf?: boolean; from?: string } = {}): Promise<Page> {
    if (options.csrf !== false && !this.csrf) await this.get(options.from ?? path);
    const body = new FormData();
    if (options.csrf !== false && this.csrf) body.set('_csrf', this.csrf);
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    for (const [name, file] of Object.entries(files)) body.set(name, file);
    return this.request('POST', path, body, options.from);
  }

  async login(login: string, password: string): Promise<Page> {
    await this.get('/login');
    return this.post('/login', { login, password }, { from: '/login' });
  }

  /** A file the page links to (CSV, XLSX, PDF), as bytes, with this client's cookies. */
  async download(path: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(new URL(path, this.baseUrl), { headers });
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
  }

  /** The Cookie header this client sends, for a request of a test's own (the API with the page session). */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async logout(): Promise<Page> {
    return this.post('/logout', {});
  }

  private async request(method: string, path: string, body?: URLSearchParams | FormData, referer?: string): Promise<Page> {
    let url = new URL(path, this.baseUrl);
    for (let hop = 0; hop < 6; hop++) {
      const headers: Record<string, string> = {};
      if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      if (body instanceof URLSearchParams) headers['content-type'] = 'application/x-www-form-urlencoded';
      if (referer) headers.referer = new URL(referer, this.baseUrl).href;
      const response = await fetch(url, { method, headers, body, redirect: 'manual' });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const [name, ...value] = pair!.split('=');
        this.cookies.set(name!.trim(), value.join('='));
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        url = new URL(location, url);
        method = 'GET';
        body = undefined;
        referer = undefined;
        continue;
      }
      const html = await response.text();
      const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
      if (token) this.csrf = token;
      return { status: response.status, path: url.pathname + url.search, html, headers: response.headers, text: textOf(html) };
    }
    throw new Error(`too many redirects from ${path}`);
  }
}

function textOf(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** JSON API calls: `await api(baseUrl, token).get('/api/v1/me')` → `{ status, body }`. */
export function api(baseUrl: string, token?: string) {
  const call = async (method: string, path: string, json?: unknown) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (json !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(path, baseUrl), { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as any) : undefined };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, json: unknown) => call('POST', path, json),
    put: (path: string, json: unknown) => call('PUT', path, json),
    delete: (path: string) => call('DELETE', path),
  };
}
