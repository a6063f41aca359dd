// The day and month a quota counts in: the school's calendar, not the server's.
export interface UsagePeriods {
  day: string;
  month: string;
}

// Building an Intl.DateTimeFormat costs far more than using one: one per time zone, kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter for the zone, made once (en-CA formats dates as YYYY-MM-DD). */
function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) formatters.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return format;
}

export function usagePeriods(now: number, timeZone: string): UsagePeriods {
  const day = dayFormat(timeZone).format(new Date(now));
  return { day, month: day.slice(0, 7) };
}
