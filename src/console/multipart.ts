// multipart/form-data for the console's few file fields (a school's logo, a few KB), parsed into
// the same flat shape as a url-encoded form so that one schema and the scope's CSRF hook see
// every field: text fields as strings, a file as base64 in its field and its name in
// `<field>Name`. Bounded: the body limit, and at most MAX_PARTS parts.
import { ValidationError } from '../errors.js';

const MAX_PARTS = 24;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

function dispositionOf(headers: string): { name?: string; filename?: string } {
  const line = headers.split('\r\n').find((header) => header.toLowerCase().startsWith('content-disposition:')) ?? '';
  return { name: /\bname="([^"]*)"/.exec(line)?.[1], filename: /\bfilename="([^"]*)"/.exec(line)?.[1] };
}

export function parseMultipart(body: Buffer, contentType: string): Record<string, string> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) throw new ValidationError('the form has no multipart boundary');
  const delimiter = Buffer.from(`--${marker}`);
  const fields: Record<string, string> = {};
  let at = body.indexOf(delimiter);
  for (let parts = 0; at !== -1; parts++) {
    if (parts > MAX_PARTS) throw new ValidationError('the form has too many parts');
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') return fields;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const part = body.subarray(start + CRLF.length, next - CRLF.length);
    const split = part.indexOf(HEADER_END);
    if (split === -1) throw new ValidationError('a form part has no headers');
    const { name, filename } = dispositionOf(part.subarray(0, split).toString('utf8'));
    const content = part.subarray(split + HEADER_END.length);
    if (name && !(name in fields)) {
      if (filename === undefined) fields[name] = content.toString('utf8');
      else if (filename !== '' || content.length > 0) {
        fields[name] = content.toString('base64');
        fields[`${name}Name`] = filename;
      }
    }
    at = next;
  }
  throw new ValidationError('the form ends before its closing boundary');
}
