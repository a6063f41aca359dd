// The schools in memory (a region has tens, not thousands): their time zones decide schedules
// and quota days on every request. Reloaded on any school change or after a reconnect.
import type { ChangeFeed } from './changes.js';
import { DEFAULT_TIMEZONE, type School, type SchoolStore } from './schools.js';

export interface SchoolDirectory {
  get(id: string | undefined): School | undefined;
  timeZone(id: string | undefined): string;
}

export async function createSchoolDirectory(schools: Pick<SchoolStore, 'list'>, feed: ChangeFeed, onError: (error: unknown) => void): Promise<SchoolDirectory> {
  let byId = new Map<string, School>();
  const reload = async () => {
    byId = new Map((await schools.list()).map((school) => [school.id, school]));
  };
  feed.on('change', (changes) => {
    if (changes.some((change) => change.entity === 'school')) void reload().catch(onError);
  });
  feed.on('resync', () => void reload().catch(onError));
  await reload();
  return {
    get: (id) => (id === undefined ? undefined : byId.get(id)),
    timeZone: (id) => (id === undefined ? undefined : byId.get(id))?.timezone ?? DEFAULT_TIMEZONE,
  };
}
