import { readCsvFile } from '../io.js';
import { table } from '../output.js';
import { flag, str, type Command } from '../command.js';

export const userImportCommand: Command = {
  name: 'user import',
  usage: '<file.csv> [--dry-run] [--encoding utf-8|windows-1251]',
  summary: 'Import users from CSV (header username,name,role,school,password; comma or semicolon; UTF-8 or Windows-1251, detected); all lines or none. Empty passwords are generated and shown once.',
  options: { 'dry-run': { type: 'boolean' }, encoding: { type: 'string' } },
  positionals: 1,
  async run({ services, principal }, input) {
    const csv = await readCsvFile(input.positionals[0]!, str(input, 'encoding'));
    const report = await services.users.import(principal, csv, { dryRun: flag(input, 'dry-run') });
    if (report.errors.length > 0) {
      return {
        json: report,
        text: `${report.errors.length} line(s) have errors; nothing was imported:\n${table(['LINE', 'USERNAME', 'ERROR'], report.errors.map((e) => [e.line, e.username, e.error]))}`,
        exitCode: 1,
      };
    }
    if (report.dryRun) return { json: report, text: `dry run: ${report.created} user(s) would be imported; nothing was written` };
    const passwords = report.generated.length > 0
      ? `\nGenerated passwords (shown once; hand them out now):\n${table(['USERNAME', 'PASSWORD'], report.generated.map((g) => [g.username, g.password]))}`
      : '';
    return { json: report, text: `${report.created} user(s) imported${passwords}` };
  },
};
