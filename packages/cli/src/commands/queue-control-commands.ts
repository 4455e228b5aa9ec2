import type { MysqlBroker } from '@celers/broker-mysql';
import type { Command } from 'commander';
import { commandScope, withBroker, withCommonOptions } from '../internal/command-runtime.js';
import type { CliIo } from '../output/cli-output.js';

interface ControlCommand {
  name: string;
  description: string;
  apply: (broker: MysqlBroker) => Promise<void>;
  done: string;
}

const CONTROL_COMMANDS: readonly ControlCommand[] = [
  {
    name: 'pause',
    description: 'stop workers claiming tasks (every host sees it)',
    apply: (b) => b.pause(),
    done: 'paused',
  },
  { name: 'resume', description: 'let workers claim tasks again', apply: (b) => b.resume(), done: 'resumed' },
  {
    name: 'drain',
    description: 'drain mode: refuse new tasks, keep processing queued ones (deploys)',
    apply: (b) => b.enableDrainMode(),
    done: 'draining',
  },
  {
    name: 'undrain',
    description: 'leave drain mode: accept new tasks again',
    apply: (b) => b.disableDrainMode(),
    done: 'accepting tasks',
  },
];

/** `celers pause | resume | drain | undrain`: persisted per queue in `celers_queue_config`. */
export function registerQueueControlCommands(program: Command, io: CliIo): void {
  for (const spec of CONTROL_COMMANDS) {
    withCommonOptions(program.command(spec.name))
      .description(spec.description)
      .action(async (_opts: object, command: Command) => {
        const scope = commandScope(command, io);
        const state = await withBroker(scope, async (broker) => {
          await spec.apply(broker);
          return {
            queue: broker.queueName,
            paused: await broker.isPaused(),
            draining: await broker.isDrainMode(),
          };
        });
        scope.out.result(state, () => `queue "${state.queue}" ${spec.done}`);
      });
  }
}
