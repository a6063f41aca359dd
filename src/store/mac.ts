// MAC addresses in every notation access points use, normalised to aa:bb:cc:dd:ee:ff before
// they are compared, logged or used in a key.

/** A hex digit's lower-case character code, or 0 for any other code unit. */
const LOWER_HEX = new Uint8Array(128);
for (const digit of '0123456789abcdef') {
  LOWER_HEX[digit.charCodeAt(0)] = digit.charCodeAt(0);
  LOWER_HEX[digit.toUpperCase().charCodeAt(0)] = digit.charCodeAt(0);
}
const COLON = 58;

/** The lower-case hex digit at `at`, or 0 when it is none. */
function hexAt(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return code < 128 ? LOWER_HEX[code]! : 0;
}

/**
 * Only the separators a real notation uses: aa:bb:cc:dd:ee:ff, aa-bb-…, aabb.ccdd.eeff and
 * aabbccddeeff, either case, with white space around. Read character by character (a MAC
 * authentication parses two per request, and a region's 400,000 devices are too many to keep
 * their parses): by the notation's length, the positions of its twelve hex digits.
 */
const DIGITS: Record<number, number[]> = {
  12: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  14: [0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13],
  17: [0, 1, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16],
};

/** Whether the notation's separators are in place: none, three groups by dots, or one of '-' and ':' throughout. */
function separated(text: string): boolean {
  if (text.length === 12) return true;
  if (text.length === 14) return text[4] === '.' && text[9] === '.';
  const separator = text[2];
  return (separator === ':' || separator === '-') && text[5] === separator && text[8] === separator && text[11] === separator && text[14] === separator;
}

export function parseMac(input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  const text = input.trim();
  const digits = DIGITS[text.length];
  if (!digits || !separated(text)) return undefined;
  const codes: number[] = [];
  for (let i = 0; i < 12; i++) {
    const code = hexAt(text, digits[i]!);
    if (code === 0) return undefined;
    if (i > 0 && i % 2 === 0) codes.push(COLON);
    codes.push(code);
  }
  return String.fromCharCode(...codes);
}

/** Randomised ("private") MACs set the locally administered bit of the first octet. */
export function isLocallyAdministered(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 0x02) !== 0;
}
