import { TASK_STATES, type TaskState } from '../../engine/types.js';
import { withApi } from '../context.js';
import { formatTasks } from '../output.js';
import { defineCommand } from './command.js';

export const tasksCommand = defineCommand({
  command: 'tasks',
  describe: 'list tasks',
  builder: (y) =>
    y
      .option('state', { choices: TASK_STATES as unknown as string[], describe: 'only tasks in this state' })
      .option('limit', { type: 'number', default: 50 }),
  handler: (args, ctx) =>
    withApi(ctx.global, async ({ api }) => {
      const tasks = await api.listTasks({ state: args.state as TaskState | undefined, limit: args.limit });
      ctx.out.out(args.json ? JSON.stringify(tasks, null, 2) : formatTasks(tasks));
    }),
});
