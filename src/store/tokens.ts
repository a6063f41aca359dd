// One-time RADIUS credentials: after a portal login the server mints one, bound to the device's
// MAC and NAS, and the access point presents it in its Access-Request (PAP or CHAP, so the
// password is kept in clear for its short life). Consumed atomically: DEL answers 1 only once.
// "Remember this device" travels in the token too: the portal cannot know the MAC it was given
// is the browser's, so the device is remembered only when the AP's own Access-Request has
// presented the token from that MAC.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

export const TOKEN_PREFIX = 'tok-';
export const DEFAULT_TOKEN_TTL_SECONDS = 120;

export interface LoginToken {
  username: string;
  password: string;
  mac: string;
  nas: string;
  role: string;
  school?: string;
  user?: string;
  /** Seconds to remember the device for, once the AP confirms its MAC. */
  rememberFor?: string;
  /** Epoch ms a guest's approval ends: the accept's Session-Timeout never goes past it. */
  until?: string;
}

export type TokenClaims = Omit<LoginToken, 'username' | 'password'>;

export function createTokenStore(redis: Redis) {
  return {
    async mint(claims: TokenClaims, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS): Promise<LoginToken> {
      const token: LoginToken = { ...claims, username: `${TOKEN_PREFIX}${randomBytes(12).toString('base64url')}`, password: randomBytes(12).toString('base64url') };
      const fields = Object.fromEntries(Object.entries(token).filter(([, value]) => value !== undefined)) as Record<string, string>;
      await redis.multi().hset(keys.token(token.username), fields).expire(keys.token(token.username), ttlSeconds).exec();
      return token;
    },

    async peek(username: string): Promise<LoginToken | undefined> {
      if (!username.startsWith(TOKEN_PREFIX)) return undefined;
      const hash = await redis.hgetall(keys.token(username));
      return hash.password ? (hash as unknown as LoginToken) : undefined;
    },

    /** True for exactly one caller: the token is gone afterwards. */
    async consume(username: string): Promise<boolean> {
      return (await redis.del(keys.token(username))) === 1;
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
