// multipart/form-data for the console's few file fields, parsed into the same flat shape as a
// url-encoded form so that one schema and the scope's CSRF hook see every field: text fields as
// strings, a file in its field and its name in `<field>Name`. A school's logo (a few KB, in one
// buffer) comes as base64; a category list (up to hundreds of MB) is read from the request
// stream as UTF-8 text, never held twice. Bounded: the body limit, at most MAX_PARTS parts.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ValidationError } from '../errors.js';

const MAX_PARTS = 24;
const MAX_HEADERS = 8 * 1024;
const MAX_TEXT_FIELD = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

function boundaryOf(contentType: string): string {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) throw new ValidationError('the form has no multipart boundary');
  return marker;
}

function dispositionOf(headers: string): { name?: string; filename?: string } {
  const line = headers.split('\r\n').find((header) => header.toLowerCase().startsWith('content-disposition:')) ?? '';
  return { name: /\bname="([^"]*)"/.exec(line)?.[1], filename: /\bfilename="([^"]*)"/.exec(line)?.[1] };
}

export function parseMultipart(body: Buffer, contentType: string): Record<string, string> {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
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

interface OpenPart {
  name?: string | undefined;
  filename?: string | undefined;
  decoder: StringDecoder;
  pieces: string[];
  size: number;
}

/**
 * Reads a form from the request stream with its files as UTF-8 text. Past `maxBytes` (read, or
 * declared by Content-Length when a file part begins) it stops keeping anything, drops the file
 * and answers the fields read so far with `tooLarge: "1"`, so the page can say so (the CSRF
 * token comes first in the form). The rest of the body is drained, not kept.
 */
export async function readMultipartText(stream: Readable, contentType: string, maxBytes: number, declaredBytes = 0): Promise<Record<string, string>> {
  // A leading CRLF makes the first delimiter read like every other one.
  const delimiter = Buffer.from(`\r\n--${boundaryOf(contentType)}`);
  const fields: Record<string, string> = {};
  let pending: Buffer = Buffer.from(CRLF);
  let state: 'preamble' | 'after' | 'headers' | 'body' = 'preamble';
  let part: OpenPart | undefined;
  let read = 0;
  let parts = 0;

  function keep(bytes: Buffer): void {
    part!.size += bytes.length;
    if (part!.filename === undefined && part!.size > MAX_TEXT_FIELD) throw new ValidationError(`the form field "${part!.name ?? ''}" is too long`);
    part!.pieces.push(part!.decoder.write(bytes));
  }

  function close(): void {
    const { name, filename, decoder, pieces } = part!;
    const text = pieces.join('') + decoder.end();
    if (name && !(name in fields) && (filename === undefined || filename !== '' || text !== '')) {
      fields[name] = text;
      if (filename !== undefined) fields[`${name}Name`] = filename;
    }
    part = undefined;
  }

  /** Consumes what it can of `pending`; true once the closing delimiter or the limit is reached. */
  function advance(): boolean {
    for (;;) {
      if (state === 'preamble' || state === 'body') {
        const at = pending.indexOf(delimiter);
        // Keep a tail that may be the start of a delimiter split across chunks.
        const upTo = at === -1 ? Math.max(0, pending.length - delimiter.length + 1) : at;
        if (state === 'body') keep(pending.subarray(0, upTo));
        pending = pending.subarray(at === -1 ? upTo : at + delimiter.length);
        if (at === -1) return false;
        if (state === 'body') close();
        state = 'after';
      } else if (state === 'after') {
        if (pending.length < 2) return false;
        if (pending.subarray(0, 2).toString() === '--') return true;
        if (!pending.subarray(0, 2).equals(CRLF)) throw new ValidationError('a form delimiter is followed by neither a part nor the end');
        if (++parts > MAX_PARTS) throw new ValidationError('the form has too many parts');
        pending = pending.subarray(2);
        state = 'headers';
      } else {
        const at = pending.indexOf(HEADER_END);
        if (at === -1) {
          if (pending.length > MAX_HEADERS) throw new ValidationError('a form part has headers too long');
          return false;
        }
        part = { ...dispositionOf(pending.subarray(0, at).toString('utf8')), decoder: new StringDecoder('utf8'), pieces: [], size: 0 };
        if (part.filename !== undefined && declaredBytes > maxBytes) return tooLarge();
        pending = pending.subarray(at + HEADER_END.length);
        state = 'body';
      }
    }
  }

  /** Drops every file (the text fields stay) and says why. */
  function tooLarge(): true {
    part = undefined;
    for (const name of Object.keys(fields).filter((field) => fields[`${field}Name`] !== undefined)) {
      delete fields[name];
      delete fields[`${name}Name`];
    }
    fields.tooLarge = '1';
    return true;
  }

  return new Promise((resolve, reject) => {
    const finish = (outcome: () => void) => {
      stream.off('data', onData).off('end', onEnd).off('error', reject);
      // Drained, not kept, so that the answer still reaches the browser.
      stream.resume();
      outcome();
    };
    const fail = (error: Error) => finish(() => reject(error));
    const onData = (chunk: Buffer) => {
      try {
        read += chunk.length;
        pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
        if (read > maxBytes ? tooLarge() : advance()) finish(() => resolve(fields));
      } catch (error) {
        fail(error as Error);
      }
    };
    const onEnd = () => fail(new ValidationError('the form ends before its closing boundary'));
    stream.on('data', onData).on('end', onEnd).on('error', reject);
  });
}
