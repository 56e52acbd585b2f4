// `filament lab`: the one-command lab (@filament/lab) — a controller and two agents as processes, the
// lab's networks and workloads created through the API, traffic and policy checks, a summary.
import { LAB_HELP, LabUsageError, runLab } from '@filament/lab';
import { type Command, UsageError } from '../command.js';

export const labCommand: Command = {
  path: ['lab'],
  summary: 'run a controller and two agents with workloads, show traffic, routes, flows (Ctrl-C stops)',
  help: LAB_HELP,
  async run(args, io) {
    try {
      return await runLab(args, io);
    } catch (e) {
      if (e instanceof LabUsageError) throw new UsageError(e.message);
      throw e;
    }
  },
};
