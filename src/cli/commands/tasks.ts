import { WhtError } from '../../engine/errors.js';
import { TASK_STATES, type TaskState } from '../../engine/types.js';
import { withApi } from '../context.js';
import { formatTask, formatTasks } from '../output.js';
import { defineCommand } from './command.js';
import { intOption } from '../options.js';

export const tasksCommand = defineCommand({
  command: 'tasks [action] [id]',
  describe: 'list tasks; tasks show ID [--output]: one task in full',
  builder: (y) =>
    y
      .positional('action', { choices: ['list', 'show'] as const, default: 'list' as const })
      .positional('id', { type: 'string', describe: 'with show: the task id' })
      .option('state', { choices: TASK_STATES as unknown as string[], describe: 'only tasks in this state' })
      .option('limit', { type: 'string', default: '50', describe: 'at most this many (1-1000)' })
      .option('output', {
        type: 'boolean',
        default: false,
        describe: 'with show: print only the output the task left',
      }),
  handler: (args, ctx) =>
    withApi(ctx.global, async ({ api }) => {
      if (args.action === 'show') {
        const id = intOption('ID', args.id, 1, Number.MAX_SAFE_INTEGER);
        const task = await api.getTask(id);
        if (!task) throw new WhtError('WHT_ERR_TASK_NOT_FOUND', `no task with id ${id}`, { id });
        if (args.json) return ctx.out.out(JSON.stringify(task, null, 2));
        // --output: the output alone, as the pane printed it (for scripts: `tasks show 17 --output > answer.txt`)
        if (args.output) {
          if (task.output) ctx.out.out(task.output);
          return;
        }
        return ctx.out.out(formatTask(task));
      }
      const limit = intOption('--limit', args.limit, 1, 1000);
      const tasks = await api.listTasks({ state: args.state as TaskState | undefined, limit });
      ctx.out.out(args.json ? JSON.stringify(tasks, null, 2) : formatTasks(tasks));
    }),
});
