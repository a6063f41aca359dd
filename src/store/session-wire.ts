// Attribute values a NAS sent (User-Name, Acct-Session-Id, Calling-Station-Id) kept as text in
// Redis and given back byte for byte: RFC 2866 §5.5 makes Acct-Session-Id an opaque string, and
// a NAS matches a Disconnect-Request against exactly what it sent (RFC 5176 §3). Valid UTF-8 is
// kept as it reads; anything else (or text that starts like the marker) as "hex:" + its bytes.
const BYTES = 'hex:';

export function textOfBytes(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return !text.startsWith(BYTES) && Buffer.from(text).equals(bytes) ? text : BYTES + bytes.toString('hex');
}

export function bytesOfText(text: string): Buffer {
  return text.startsWith(BYTES) ? Buffer.from(text.slice(BYTES.length), 'hex') : Buffer.from(text);
}
