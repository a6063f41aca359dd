// Answers kept for the few values nearly every visitor sends alike: the portal's Host, a phone's
// Accept-Language, an access point's login URL, the OS probe URLs a redirect continues to.

/** At most this many answers per memo, all dropped when full: a flood of distinct values costs the work, not memory. */
export const MEMO_SIZE = 256;

/** `f` with its answers kept by argument; `f` must be pure. */
export function memo<T>(f: (key: string) => T, size = MEMO_SIZE): (key: string) => T {
  const kept = new Map<string, T>();
  return (key) => {
    let answer = kept.get(key);
    if (answer === undefined && !kept.has(key)) {
      answer = f(key);
      if (kept.size >= size) kept.clear();
      kept.set(key, answer);
    }
    return answer as T;
  };
}
