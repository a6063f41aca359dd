// The streaming form reader of the console's list upload (src/console/multipart.ts): the same
// fields whatever the chunking (a delimiter split across chunks, one byte at a time), a UTF-8
// name split mid-character, the file dropped past the limit (counted or declared) with the text
// fields kept, and a form cut short refused.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseMultipart, readMultipartText } from '../../src/console/multipart.js';

const TYPE = 'multipart/form-data; boundary=xyz';
const FORM = Buffer.from([
  'preamble\r\n--xyz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\ntoken\r\n',
  '--xyz\r\nContent-Disposition: form-data; name="category"\r\n\r\nadult\r\n',
  '--xyz\r\nContent-Disposition: form-data; name="list"; filename="hosts.txt"\r\nContent-Type: text/plain\r\n\r\n',
  '0.0.0.0 a.example\r\nпример.қаз\r\n--xy not a delimiter\r\n',
  '\r\n--xyz--\r\n',
].join(''));

const chunked = (bytes: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, index) => bytes.subarray(index * size, (index + 1) * size)));

describe('readMultipartText', () => {
  it.each([1, 2, 7, 64, FORM.length])('reads the same fields in chunks of %i bytes', async (size) => {
    expect(await readMultipartText(chunked(FORM, size), TYPE, 1024)).toEqual({
      _csrf: 'token', category: 'adult', list: '0.0.0.0 a.example\r\nпример.қаз\r\n--xy not a delimiter\r\n', listName: 'hosts.txt',
    });
  });

  it('keeps the text fields a buffered parse gives', async () => {
    const buffered = parseMultipart(FORM, TYPE);
    const streamed = await readMultipartText(chunked(FORM, 5), TYPE, 1024);
    expect({ ...streamed, list: Buffer.from(streamed.list!).toString('base64') }).toEqual(buffered);
  });

  it('drops the file past the limit, read or declared, and keeps the fields before it', async () => {
    expect(await readMultipartText(chunked(FORM, 16), TYPE, 200)).toEqual({ _csrf: 'token', category: 'adult', tooLarge: '1' });
    expect(await readMultipartText(chunked(FORM, 16), TYPE, 1024, 5000)).toEqual({ _csrf: 'token', category: 'adult', tooLarge: '1' });
  });

  it('refuses a form cut short and one without a boundary', async () => {
    await expect(readMultipartText(chunked(FORM.subarray(0, 200), 16), TYPE, 1024)).rejects.toThrow('the form ends before its closing boundary');
    await expect(readMultipartText(chunked(FORM, 16), 'multipart/form-data', 1024)).rejects.toThrow('no multipart boundary');
  });
});
