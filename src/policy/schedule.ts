// Weekly time windows in a school's time zone ("mon-sat 08:00-17:00"). Pure: the clock and the
// zone are parameters; the zone database decides offsets (Asia/Almaty moved to UTC+5 in 2024).
import { ValidationError } from '../errors.js';
import type { ScheduleWindow } from './fields.js';

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

function dayIndex(name: string, input: string): number {
  const index = DAY_NAMES.indexOf(name.slice(0, 3).toLowerCase() as (typeof DAY_NAMES)[number]);
  if (index < 0 || name.length < 3) throw new ValidationError(`"${input}": "${name}" is not a day (use mon, tue, wed, thu, fri, sat, sun)`);
  return index;
}

function clock(text: string, input: string): string {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) throw new ValidationError(`"${input}": "${text}" is not a time of day (00:00-23:59)`);
  return `${match[1]!.padStart(2, '0')}:${match[2]}`;
}

/** "mon-fri 08:00-17:00", "sat,sun 10:00-14:00", "fri 22:00-02:00" (past midnight); ";" separates windows. */
export function parseSchedule(input: string): ScheduleWindow[] {
  return input.split(';').map((part) => part.trim()).filter(Boolean).map((part) => {
    const match = /^([a-z,\s-]+?)\s+(\S+)-(\S+)$/i.exec(part);
    if (!match) throw new ValidationError(`"${part}" is not a schedule window (e.g. "mon-sat 08:00-17:00")`);
    const days = new Set<number>();
    for (const item of match[1]!.split(',').map((day) => day.trim())) {
      const [from, to] = item.split('-');
      const first = dayIndex(from!, part);
      const last = to === undefined ? first : dayIndex(to, part);
      for (let day = first; ; day = (day + 1) % 7) {
        days.add(day);
        if (day === last) break;
      }
    }
    const start = clock(match[2]!, part);
    const end = clock(match[3]!, part);
    if (start === end) throw new ValidationError(`"${part}": a window cannot start and end at the same time`);
    return { days: [...days].sort(), start, end };
  });
}

export function formatSchedule(windows: ScheduleWindow[]): string {
  return windows.map((window) => `${window.days.map((day) => DAY_NAMES[day]).join(',')} ${window.start}-${window.end}`).join('; ');
}

// Building an Intl.DateTimeFormat costs far more than using one: one per time zone, kept.
const weekFormats = new Map<string, Intl.DateTimeFormat>();

/** Minutes since Sunday 00:00 in the zone. */
export function weekMinute(now: number, timeZone: string): number {
  let format = weekFormats.get(timeZone);
  if (!format) weekFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = format.formatToParts(new Date(now));
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  return dayIndex(get('weekday'), 'clock') * MINUTES_PER_DAY + Number(get('hour')) * 60 + Number(get('minute'));
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));

/** Each window as [start, end) in week minutes, repeated over the previous and next week. */
function timeline(windows: ScheduleWindow[]): [number, number][] {
  const out: [number, number][] = [];
  for (const window of windows) {
    const start = minutesOf(window.start);
    let end = minutesOf(window.end);
    if (end <= start) end += MINUTES_PER_DAY;
    for (const day of window.days) {
      for (const week of [-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK]) out.push([week + day * MINUTES_PER_DAY + start, week + day * MINUTES_PER_DAY + end]);
    }
  }
  return out;
}

/**
 * Seconds left in the window that contains `now` (windows that touch or overlap count as one),
 * or 0 when `now` is outside every window; undefined when there is no schedule.
 */
export function secondsLeftInSchedule(windows: ScheduleWindow[] | undefined, now: number, timeZone: string): number | undefined {
  if (!windows || windows.length === 0) return undefined;
  const all = timeline(windows);
  const minute = weekMinute(now, timeZone);
  const containing = (at: number) => all.filter(([start, end]) => start <= at && at < end).reduce((best, [, end]) => Math.max(best, end), -Infinity);
  let end = containing(minute);
  if (end === -Infinity) return 0;
  // Follow touching windows to the real end, at most a week ahead (a schedule always open).
  for (let next = containing(end); next !== -Infinity && end - minute < MINUTES_PER_WEEK; next = containing(end)) end = next;
  const left = Math.min(end - minute, MINUTES_PER_WEEK);
  return Math.max(1, left * 60 - Math.floor((now / 1000) % 60));
}
