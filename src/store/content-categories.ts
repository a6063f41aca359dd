// Category lists in Redis, shared by every instance: the names of one generation as a list of
// raw-deflate chunks (newline-separated names, ~4 bytes a name compressed), and a small hash
// naming the current generation. An import writes a whole new generation, then switches to it
// through the one write path (audit + change announcement), then drops the old one, so a
// reader never sees half a list.
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Redis } from 'ioredis';
import { NotFoundError } from '../errors.js';
import { createDomainSetBuilder, type DomainSet } from './content-domains.js';
import { parseDomainList, type ImportReport } from './content-import.js';
import { keys } from './keys.js';
import { slug } from './validate.js';
import { writeOne } from './write.js';

const NAMES_PER_CHUNK = 50_000;
/** A generation being written expires by itself if the import dies before switching to it. */
const PENDING_TTL_SECONDS = 3600;

export interface CategoryInfo {
  name: string;
  domains: number;
  updatedAt: string;
  generation: string;
}

export interface CategoryImport extends ImportReport {
  category: string;
  /** Names in the category after the import. */
  domains: number;
  /** Distinct names whose 64-bit hashes coincide (each then matches for the other). */
  collisions: number;
}

export function createContentCategoryStore(redis: Redis) {
  async function info(name: string): Promise<CategoryInfo | undefined> {
    const hash = await redis.hgetall(keys.contentCategory(name));
    if (!hash.generation) return undefined;
    return { name, domains: Number(hash.domains ?? 0), updatedAt: new Date(Number(hash.updatedAt)).toISOString(), generation: hash.generation };
  }

  async function chunks(name: string): Promise<Buffer[]> {
    // Twice at most: an import may switch generations between the two reads.
    for (let attempt = 0; attempt < 2; attempt++) {
      const current = await info(name);
      if (!current) return [];
      const list = await redis.lrangeBuffer(keys.contentCategoryChunks(name, current.generation), 0, -1);
      if (list.length > 0 || current.domains === 0) return list;
    }
    return [];
  }

  /** The category's names, chunk by chunk, as newline-separated text. */
  async function* texts(name: string): AsyncGenerator<string> {
    for (const chunk of await chunks(name)) yield inflateRawSync(chunk).toString('latin1');
  }

  async function load(name: string): Promise<DomainSet> {
    const builder = createDomainSetBuilder();
    for await (const text of texts(name)) {
      builder.add(text);
      // A running resolver answers queries between chunks of a big list.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return builder.finish();
  }

  return {
    info,
    load,
    texts,

    async list(): Promise<CategoryInfo[]> {
      const names = (await redis.smembers(keys.contentCategories)).sort();
      return (await Promise.all(names.map(info))).filter((entry): entry is CategoryInfo => entry !== undefined);
    },

    /** Adds the names of a list file to a category (or replaces them all with `replace`). */
    async import(input: string, text: string, replace: boolean, actor: string): Promise<CategoryImport> {
      const name = slug(input, 'category name');
      const previous = await info(name);
      const kept = replace || !previous ? [] : await chunks(name);
      const known = replace ? new Set<string>() : await load(name);
      const { names, report } = parseDomainList(text, known);
      const generation = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
      const target = keys.contentCategoryChunks(name, generation);
      const fresh: Buffer[] = [];
      for (let start = 0; start < names.length; start += NAMES_PER_CHUNK) fresh.push(deflateRawSync(names.slice(start, start + NAMES_PER_CHUNK).join('\n'), { level: 6 }));
      const all = [...kept, ...fresh];
      for (let start = 0; start < all.length; start += 20) {
        await redis.multi().rpush(target, ...all.slice(start, start + 20)).expire(target, PENDING_TTL_SECONDS).exec();
      }
      await redis.persist(target);
      const domains = (replace ? 0 : previous?.domains ?? 0) + names.length;
      // The collision check: every name is distinct, so a smaller set means shared hashes.
      const check = createDomainSetBuilder();
      for (const chunk of all) check.add(inflateRawSync(chunk).toString('latin1'));
      const collisions = domains - check.finish().size;
      await writeOne(redis, {
        key: keys.contentCategory(name),
        mode: 'upsert',
        set: { generation, domains: String(domains), updatedAt: String(Date.now()) },
        addTo: [[keys.contentCategories, name]],
        audit: { actor, action: 'content.import', target: name, detail: { replace, lines: report.lines, kept: report.kept, refused: report.refused, domains } },
        change: { entity: 'content-category', id: name },
      });
      if (previous) await redis.del(keys.contentCategoryChunks(name, previous.generation));
      return { category: name, ...report, domains, collisions };
    },

    async remove(name: string, actor: string): Promise<void> {
      const current = await info(name);
      if (!current) throw new NotFoundError(`category "${name}" has no list`);
      await writeOne(redis, {
        key: keys.contentCategory(name),
        mode: 'delete',
        removeFrom: [[keys.contentCategories, name]],
        audit: { actor, action: 'content.category.remove', target: name, detail: { domains: current.domains } },
        change: { entity: 'content-category', id: name },
      });
      await redis.del(keys.contentCategoryChunks(name, current.generation));
    },
  };
}

export type ContentCategoryStore = ReturnType<typeof createContentCategoryStore>;
