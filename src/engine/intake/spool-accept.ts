/** How spool files become tasks: one admission batch; a full queue leaves files in new/ until there is room. */
import { isWhtError, type WhtError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import type { EnqueueResult, NewTask } from '../task.js';
import type { AcceptOutcome, SpoolFile } from './spool.js';

export function acceptSpoolFiles(
  files: readonly SpoolFile[],
  enqueueMany: (inputs: readonly NewTask[]) => Array<EnqueueResult | Error>,
  logger: Logger,
  capacity: number,
): AcceptOutcome {
  const outcome: AcceptOutcome = { committed: [], rejected: [], full: false };
  enqueueMany(files.map((f) => f.task)).forEach((result, i) => {
    const name = files[i]!.name;
    if (!(result instanceof Error)) outcome.committed.push(name);
    else if (isWhtError(result, 'WHT_ERR_QUEUE_FULL')) outcome.full = true; // stays in new/ until there is room
    else outcome.rejected.push({ name, reason: `${(result as WhtError).code ?? 'WHT_ERR_BAD_TRIGGER'}: ${result.message}` });
  });
  if (outcome.full) logger.warn('queue full: spool files wait in new/', { capacity });
  return outcome;
}
