// The session hash's field names as stored: a letter each. Spelled out they were ~140 B of every
// live session's ~330 B of content (docs/scale.md "Toward 1 KB per live session"); the store
// and every session script name them through this table. Layout 5 (schema.ts) renamed them.
export const FIELD = {
  nas: 'n',
  nasIp: 'a',
  nasIdentifier: 'd',
  nasIpAddress: 'A',
  callingStationId: 'c',
  userName: 'N',
  sessionId: 'i',
  user: 'u',
  role: 'r',
  school: 's',
  mac: 'm',
  ip: 'p',
  nasPort: 'P',
  inOctets: 'I',
  outOctets: 'O',
  sessionTime: 't',
  terminateCause: 'T',
  startedAt: 'b',
  updatedAt: 'e',
  counted: 'k',
  names: 'x',
} as const;

export type FieldName = keyof typeof FIELD;

/** A hash read with HGETALL, by the names the store uses. */
export function spelledOut(stored: Record<string, string>): Partial<Record<FieldName, string>> {
  const hash: Partial<Record<FieldName, string>> = {};
  for (const [name, letter] of Object.entries(FIELD) as [FieldName, string][]) if (stored[letter] !== undefined) hash[name] = stored[letter];
  return hash;
}
