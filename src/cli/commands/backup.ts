import { backupStore, restoreStore } from '../../backup/backup.service.js';
import { str, type UnopenedCommand } from '../command.js';

/** Backup and restore of the configured store (docs/backup.md). */
export const backupCommands: Record<string, UnopenedCommand> = {
  backup: {
    usage: 'leadline backup --to FILE',
    options: { to: { type: 'string' } },
    required: ['to'],
    runUnopened: (config, v) => backupStore(config, { to: str(v.to) }),
  },
  restore: {
    usage: 'leadline restore --from FILE',
    options: { from: { type: 'string' } },
    required: ['from'],
    runUnopened: (config, v) => restoreStore(config, { from: str(v.from) }),
  },
};
