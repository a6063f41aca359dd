// The console as a browser uses it over app.inject: cookies carried from answer to answer, the
// CSRF token read from the page's form, forms posted url-encoded.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createStore } from '../../src/store/index.js';
import { buildTestApp } from './app.js';
import { startTestRedis } from './redis.js';

/** The real app over its own redis-server for one test file, and a store on that Redis for set-up. */
export async function startConsoleApp(env: Record<string, string> = {}) {
  const server = await startTestRedis();
  const app = await buildTestApp(server.url, env);
  const redis = server.client();
  return { server, app, redis, store: createStore(redis) };
}

export class ConsoleBrowser {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(private readonly app: FastifyInstance, readonly ip = '10.9.0.1', readonly language = 'en') {}

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now())) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) this.csrf = token;
    return response;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '), 'accept-language': this.language, ...extra };
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: 'GET', url, remoteAddress: this.ip, headers: this.headers() }));
  }

  /** Posts a form with this browser's CSRF token unless `fields` names its own `_csrf`. */
  async post(url: string, fields: Record<string, string>, extra: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const payload = new URLSearchParams({ _csrf: this.csrf, ...fields }).toString();
    return this.keep(await this.app.inject({ method: 'POST', url, remoteAddress: this.ip, payload, headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded', ...extra }) }));
  }

  async signIn(username: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/console/login');
    return this.post('/console/login', { username, password });
  }
}
