// worker_heartbeat: register workers with capabilities, heartbeat, detect stale workers, recover their tasks.
import { createTask } from '@celers/core';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    section('Register workers');
    await broker.workers.register('gpu-worker-1', 'active', { gpu: 'a100', tasks: ['ml.train'] });
    await broker.workers.register('cpu-worker-1', 'active', { cores: 16 });
    const active = await broker.workers.listActive();
    check(active.length === 2, `2 active workers: ${active.join(', ')}`);

    section('Heartbeats with status');
    await broker.workers.heartbeat('gpu-worker-1', 'busy', 3);
    await broker.workers.heartbeat('cpu-worker-1', 'idle', 0);
    for (const w of await broker.workers.heartbeats()) {
      info(
        `${w.workerId.padEnd(14)} ${w.status.padEnd(7)} tasks=${w.taskCount} caps=${JSON.stringify(w.capabilities)} age=${w.ageMs}ms`,
      );
    }
    const gpu = (await broker.workers.heartbeats()).find((w) => w.workerId === 'gpu-worker-1');
    check(
      gpu?.status === 'busy' && gpu.taskCount === 3 && gpu.capabilities?.gpu === 'a100',
      'heartbeat recorded status, load and capabilities',
    );

    section('A worker dies holding a task');
    await broker.enqueue(createTask('ml.train', { epochs: 10 }));
    const msg = await broker.dequeue({ workerId: 'gpu-worker-1' });
    check(msg !== null, 'gpu-worker-1 claimed a task');
    // Its heartbeat stops; with a 1 ms threshold it is stale at once (production: ~60 s).
    const deadline = Date.now() + 5_000;
    let stale = (await broker.workers.heartbeats({ staleAfterMs: 1 })).filter((w) => w.stale);
    while (stale.length === 0 && Date.now() < deadline)
      stale = (await broker.workers.heartbeats({ staleAfterMs: 1 })).filter((w) => w.stale);
    check(
      stale.some((w) => w.workerId === 'gpu-worker-1' && w.status === 'offline'),
      'stale heartbeat detected: gpu-worker-1 marked offline',
    );
    const requeued = await broker.workers.requeueStuckTasks('gpu-worker-1');
    check(requeued === 1 && (await broker.queueSize()) === 1, "the dead worker's task is back in the queue");

    section('Statistics and graceful deregistration');
    const again = await broker.dequeue({ workerId: 'cpu-worker-1' });
    await broker.ack(again!.task.metadata.id, again!.receiptHandle);
    const stats = await broker.workers.statistics('cpu-worker-1');
    info(JSON.stringify(stats));
    check(stats.tasksCompleted === 1, 'cpu-worker-1 completed the recovered task');
    await broker.workers.deregister('cpu-worker-1');
    check(
      !(await broker.workers.listActive()).includes('cpu-worker-1'),
      'deregistered worker is no longer active',
    );
  });
}
