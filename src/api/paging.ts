// Collections are answered a page at a time (at most 500 items), never whole.
export interface PageRequest {
  limit?: number;
  offset?: number;
}

export interface PageOf<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
  next?: number;
}

export const DEFAULT_LIMIT = 100;

export function page<T>(all: T[], { limit = DEFAULT_LIMIT, offset = 0 }: PageRequest): PageOf<T> {
  const items = all.slice(offset, offset + limit);
  const next = offset + items.length;
  return { items, total: all.length, offset, limit, ...(next < all.length ? { next } : {}) };
}
