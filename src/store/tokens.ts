// One-time RADIUS credentials: after a portal login the server mints one, bound to the device's
// MAC and NAS, and the access point presents it in its Access-Request (PAP or CHAP, so the
// password is kept in clear for its short life). Consumed atomically, by one Access-Request:
// the script records which, so that request's retransmission reaching another worker or
// instance (its own duplicate cache never saw it) gets the same accept, and any other is refused.
// "Remember this device" travels in the token too: the portal cannot know the MAC it was given
// is the browser's, so the device is remembered only when the AP's own Access-Request has
// presented the token from that MAC.
import { randomBytes } from 'node:crypto';
import type { ClientContext, Redis, Result } from 'ioredis';
import { DUPLICATE_WINDOW_MS, keys } from './keys.js';
import { defineScript } from './write.js';

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

/** 'consumed' by this request; its 'retransmission' (the same datagram from the same NAS); 'used' up or gone. */
export type Consumption = 'consumed' | 'retransmission' | 'used';

// KEYS: the token. ARGV: the request (transport.ts requestIdentity), the duplicate window (ms).
// The consumed token stays for the window only, naming its request, then Redis drops it. The
// identity digests every byte of the datagram, so a copy from another device (another
// Calling-Station-Id) is another request and is refused.
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'used' end
local by = redis.call('HGET', KEYS[1], 'consumedBy')
if not by then
  redis.call('HSET', KEYS[1], 'consumedBy', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 'consumed'
end
if by == ARGV[1] then return 'retransmission' end
return 'used'`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkConsumeToken(key: string, request: string, windowMs: string): Result<Consumption, Context>;
  }
}

export function createTokenStore(redis: Redis) {
  defineScript(redis, 'mkConsumeToken', CONSUME, 1);
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

    /** 'consumed' for exactly one request (and 'retransmission' for its copies); 'used' for every other. */
    async consume(username: string, request: string): Promise<Consumption> {
      return redis.mkConsumeToken(keys.token(username), request, String(DUPLICATE_WINDOW_MS));
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
