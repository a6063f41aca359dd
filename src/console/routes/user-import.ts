// /console/users/import: a CSV file as Excel saves it (UTF-8 with or without BOM, or
// Windows-1251 — detected, or chosen — comma or semicolon separated), first as a dry run that
// lists every bad line with its number and reason and writes nothing, then, when every line is
// good, a confirm step that imports all of them or none. Nothing is kept on the server between
// the two steps: the checked text travels back in the confirm form and is checked again.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, ValidationError } from '../../errors.js';
import { fill } from '../../i18n/languages.js';
import { CSV_ENCODINGS, decodeCsv, type CsvEncoding } from '../../store/csv.js';
import type { ImportReport } from '../../store/user-import.js';
import { IMPORT_COLUMNS } from '../../store/user-import.js';
import { formError, type FormError } from '../forms.js';
import type { ConsoleKit } from '../kit.js';
import { consoleMessages } from '../render.js';

/** The largest file taken: some 20,000 lines of users, far more than a school has. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;
// The file arrives as base64 in a multipart form (4/3 of its size), and goes back as base64url.
const MAX_ENCODED = Math.ceil(MAX_IMPORT_BYTES / 3) * 4;
// Room for a file up to twice the limit, so that one a little too large is told so in words
// (readFile); anything larger is the body limit's plain 413.
const BODY_LIMIT = 2 * MAX_ENCODED + 64 * 1024;

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const UPLOAD_BODY = Type.Object({ _csrf: FIELD(512), file: FIELD(2 * MAX_ENCODED), fileName: FIELD(255), encoding: FIELD(16), lang: FIELD(8) });
// The checked text as UTF-8: a Windows-1251 file's Cyrillic takes two bytes a letter there.
const CONFIRM_BODY = Type.Object({ _csrf: FIELD(512), csv: Type.String({ maxLength: 2 * MAX_ENCODED, pattern: '^[A-Za-z0-9_-]*$' }), lang: FIELD(8) });
const QUERY = Type.Object({ lang: FIELD(8) });

function chosenEncoding(value: string | undefined): CsvEncoding | undefined {
  if (!value || value === 'auto') return undefined;
  if (!(CSV_ENCODINGS as string[]).includes(value)) throw new ValidationError(`the encoding "${value}" is not one of auto, ${CSV_ENCODINGS.join(', ')}`);
  return value as CsvEncoding;
}

/** The file's text, and the encoding it was read in. */
function readFile(bytes: Buffer, chosen: CsvEncoding | undefined): { text: string; encoding: CsvEncoding } {
  if (bytes.length === 0) throw new ValidationError('choose a CSV file');
  if (bytes.length > MAX_IMPORT_BYTES) throw new ValidationError(`the file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it`);
  const text = decodeCsv(bytes, chosen);
  const encoding = chosen ?? (text === new TextDecoder('utf-8').decode(bytes) ? 'utf-8' : 'windows-1251');
  return { text, encoding };
}

export function userImportRoutes(app: FastifyInstance, kit: ConsoleKit) {
  function page(request: FastifyRequest, reply: FastifyReply, data: { status?: number; error?: FormError; report?: ImportReport; csv?: string; encoding?: string; fileName?: string; done?: boolean } = {}) {
    const t = consoleMessages(request);
    if (request.signedIn!.principal.kind === 'teacher') throw new ForbiddenError('a teacher may not import Wi-Fi users');
    const report = data.report;
    return kit.render(request, reply, {
      template: 'console/users-import.eta',
      status: data.status ?? 200,
      title: t.userImport,
      data: {
        ...data,
        columns: IMPORT_COLUMNS.join(','),
        encodings: CSV_ENCODINGS,
        summary: report && (report.errors.length > 0
          ? fill(t.importBadLines, { count: String(report.errors.length) })
          : fill(report.dryRun ? t.importReady : t.importDone, { count: String(report.created) })),
      },
    });
  }

  app.get<{ Querystring: Static<typeof QUERY> }>('/users/import', { schema: { querystring: QUERY } }, async (request, reply) => page(request, reply));

  app.post<{ Body: Static<typeof UPLOAD_BODY> }>('/users/import', { bodyLimit: BODY_LIMIT, schema: { body: UPLOAD_BODY } }, async (request, reply) => {
    const t = consoleMessages(request);
    const { principal } = request.signedIn!;
    try {
      const { text, encoding } = readFile(Buffer.from(request.body.file ?? '', 'base64'), chosenEncoding(request.body.encoding));
      const report = await kit.services.users.import(principal, text, { dryRun: true });
      request.log.info({ actor: request.signedIn!.account.username, lines: report.created + report.errors.length, bad: report.errors.length, encoding }, 'console: user import checked');
      return page(request, reply, { report, encoding, fileName: request.body.fileName ?? '', ...(report.errors.length === 0 ? { csv: Buffer.from(text).toString('base64url') } : { status: 422 }) });
    } catch (error) {
      return page(request, reply, { status: 400, error: formError(error, t, request.log) });
    }
  });

  app.post<{ Body: Static<typeof CONFIRM_BODY> }>('/users/import/confirm', { bodyLimit: BODY_LIMIT, schema: { body: CONFIRM_BODY } }, async (request, reply) => {
    const t = consoleMessages(request);
    try {
      const report = await kit.services.users.import(request.signedIn!.principal, Buffer.from(request.body.csv, 'base64url').toString('utf8'), { dryRun: false });
      request.log.info({ actor: request.signedIn!.account.username, created: report.created, bad: report.errors.length }, report.errors.length ? 'console: user import refused' : 'console: users imported');
      return page(request, reply, { report, done: report.errors.length === 0, ...(report.errors.length ? { status: 422 } : {}) });
    } catch (error) {
      return page(request, reply, { status: 400, error: formError(error, t, request.log) });
    }
  });
}
