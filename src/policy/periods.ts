// The day and month a quota counts in: the school's calendar, not the server's.
export interface UsagePeriods {
  day: string;
  month: string;
}

export function usagePeriods(now: number, timeZone: string): UsagePeriods {
  // en-CA formats dates as YYYY-MM-DD.
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now));
  return { day, month: day.slice(0, 7) };
}
