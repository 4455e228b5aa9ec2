// advanced_retry: fixed, linear, exponential and jittered backoff; per-task policies; DLQ when exhausted.
import { createTask } from '@celers/core';
import { computeRetryDelay, RetryPolicies, seededRandom } from '@celers/resilience';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  section('Retry delays per attempt');
  const policies = {
    fixed: RetryPolicies.fixed(1_000),
    linear: RetryPolicies.linear({ baseDelayMs: 1_000, maxDelayMs: 10_000 }),
    exponential: RetryPolicies.exponential({ baseDelayMs: 1_000, multiplier: 2, maxDelayMs: 60_000 }),
    jitter: RetryPolicies.exponentialWithJitter({ baseDelayMs: 1_000, multiplier: 2, maxDelayMs: 60_000 }),
  };
  const random = seededRandom(42);
  for (const [name, policy] of Object.entries(policies)) {
    const delays = [1, 2, 3, 4, 5].map((attempt) => computeRetryDelay(policy, attempt, random));
    info(`${name.padEnd(12)} ${delays.map((d) => `${d}ms`).join('  ')}`);
  }
  const exp = [1, 2, 3, 4].map((a) => computeRetryDelay(policies.exponential, a));
  check(exp.join(',') === '1000,2000,4000,8000', 'exponential backoff doubles: 1s, 2s, 4s, 8s');
  const jittered = [1, 2, 3, 4].map((a) => computeRetryDelay(policies.jitter, a, random));
  check(
    jittered.every((d, i) => d <= (exp[i] as number)),
    'jitter spreads retries below the exponential ceiling',
  );

  await withBroker(ctx, async (broker) => {
    section('A task with its own policy');
    const id = await broker.retries.enqueueWithRetryPolicy(
      createTask('payments.capture', { amount: 4200 }),
      RetryPolicies.fixed(1),
      { maxRetries: 2 },
    );
    const outcomes: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const deadline = Date.now() + 5_000;
      let msg = await broker.dequeue();
      while (!msg && Date.now() < deadline) msg = await broker.dequeue(); // the 1 ms retry delay must pass
      const outcome = await broker.reject(id, msg!.receiptHandle, { error: `gateway timeout #${attempt}` });
      outcomes.push(outcome.outcome);
      info(
        `attempt ${attempt}: ${outcome.outcome}${outcome.outcome === 'retried' ? ` (retry ${outcome.retryCount})` : ''}`,
      );
    }
    check(
      outcomes.join(',') === 'retried,retried,dead-lettered',
      'retried twice with its fixed policy, then dead-lettered',
    );

    section('Override the policy at reject time');
    const other = await broker.enqueue(createTask('emails.send', {}));
    const msg = await broker.dequeue();
    const outcome = await broker.retries.rejectWithRetryPolicy(
      other,
      msg!.receiptHandle,
      RetryPolicies.linear({ baseDelayMs: 30_000 }),
    );
    check(
      outcome.outcome === 'retried' && outcome.retryAt.getTime() - Date.now() > 20_000,
      'rejectWithRetryPolicy scheduled the retry ~30 s out',
    );
  });
}
