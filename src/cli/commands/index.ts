// Every CLI command, in the order `mektep --help` lists them.
import type { Command } from '../command.js';
import { adminCommands } from './admin.js';
import { auditCommands } from './audit.js';
import { backupCommands } from './backup.js';
import { contentCommands } from './content.js';
import { deviceCommands } from './device.js';
import { focusCommands } from './focus.js';
import { groupCommands } from './group.js';
import { queryLogCommands } from './query-log.js';
import { nasCommands } from './nas.js';
import { policyCommands } from './policy.js';
import { retentionCommands } from './retention.js';
import { roleCommands } from './role.js';
import { schoolCommands } from './school.js';
import { sessionCommands } from './session.js';
import { tokenCommands } from './token.js';
import { userImportCommand } from './user-import.js';
import { userCommands } from './user.js';
import { voucherCommands } from './voucher.js';

export const commands: Command[] = [
  ...adminCommands,
  ...tokenCommands,
  ...schoolCommands,
  ...nasCommands,
  ...userCommands,
  userImportCommand,
  ...roleCommands,
  ...policyCommands,
  ...contentCommands,
  ...deviceCommands,
  ...voucherCommands,
  ...groupCommands,
  ...focusCommands,
  ...queryLogCommands,
  ...sessionCommands,
  ...auditCommands,
  ...backupCommands,
  ...retentionCommands,
];
