/**
 * How spool files become tasks: one admission batch; a full queue leaves files in new/ until there is room (the
 * spool logs that once when it starts and once when it ends), a database that cannot be written leaves them there
 * until it can (the storage guard logs that).
 */
import { isWhtError, type WhtError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import type { EnqueueResult, NewTask } from '../task.js';
import type { AcceptOutcome, SpoolFile } from './spool.js';

export function acceptSpoolFiles(
  files: readonly SpoolFile[],
  enqueueMany: (inputs: readonly NewTask[]) => Array<EnqueueResult | Error>,
  logger?: Logger,
): AcceptOutcome {
  const outcome: AcceptOutcome = { committed: [], rejected: [], full: false };
  enqueueMany(files.map((f) => f.task)).forEach((result, i) => {
    const name = files[i]!.name;
    if (!(result instanceof Error)) {
      outcome.committed.push(name);
      if (!result.created)
        logger?.info(
          'spool file repeats an earlier trigger (same name or id within the dedupe window); removed, counted as deduplicated',
          { name, task: result.task.id },
        );
    } else if (isWhtError(result, 'WHT_ERR_STORAGE'))
      outcome.unavailable = true; // stays in new/ until it can be written
    else if (isWhtError(result, 'WHT_ERR_QUEUE_FULL'))
      outcome.full = true; // stays in new/ until there is room
    else
      outcome.rejected.push({
        name,
        reason: `${(result as WhtError).code ?? 'WHT_ERR_BAD_TRIGGER'}: ${result.message}`,
      });
  });
  return outcome;
}
