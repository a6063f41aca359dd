// One page of a list: a page never holds more than PAGE_SIZE rows, whatever the list's size.
export const PAGE_SIZE = 50;

export interface Paged<T> {
  rows: T[];
  page: number;
  pages: number;
  total: number;
}

export function pageOf<T>(all: T[], requested: number): Paged<T> {
  const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
  const page = Math.min(Math.max(1, Math.floor(requested) || 1), pages);
  return { rows: all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), page, pages, total: all.length };
}
