// BullMQ against a Redis-compatible server (issue 30): node bullmq-check.js [port] [host]
// A Queue, a Worker (concurrency 10) and QueueEvents: 1,000 plain jobs, 50 delayed ones (500 ms) and
// 50 that fail their first attempt and succeed on the second (attempts 2, fixed backoff 100 ms), and 10
// that always fail (QueueEvents' "failed" comes once a job has no attempt left: for those 10 only).
// Prints one JSON line of what happened; exits 0 only when every job completed as expected.
'use strict';
const { Queue, Worker, QueueEvents } = require('bullmq');

const port = Number(process.argv[2] || 6379);
const host = process.argv[3] || '127.0.0.1';
// BULLMQ_PREFIX={bull} puts every key of the queue in one hash slot (one shard), as Redis Cluster needs
const prefix = process.env.BULLMQ_PREFIX || 'bull';
const connection = { host, port, maxRetriesPerRequest: null };
const name = 'check-' + process.pid + '-' + Date.now();
const PLAIN = 1000;
const DELAYED = 50;
const FLAKY = 50;
const DOOMED = 10;
const DELAY_MS = 500;

async function main() {
  const started = Date.now();
  const errors = [];
  const queue = new Queue(name, { connection, prefix });
  const events = new QueueEvents(name, { connection, prefix });
  queue.on('error', (e) => errors.push('queue: ' + e.message));
  events.on('error', (e) => errors.push('events: ' + e.message));
  await events.waitUntilReady();

  const seen = { completed: 0, failed: 0, attemptsFailed: 0, delayedEarly: 0, wrongResult: 0 };
  const done = new Set();
  let finish;
  const allDone = new Promise((resolve) => { finish = resolve; });
  events.on('completed', ({ jobId, returnvalue }) => {
    seen.completed++;
    done.add(jobId);
    if (String(returnvalue) !== '"ok:' + jobId + '"' && String(returnvalue) !== 'ok:' + jobId) {
      seen.wrongResult++;
    }
    if (done.size === PLAIN + DELAYED + FLAKY && seen.failed === DOOMED) {
      finish();
    }
  });
  events.on('failed', () => {
    seen.failed++;
    if (done.size === PLAIN + DELAYED + FLAKY && seen.failed === DOOMED) {
      finish();
    }
  });

  const addedAt = new Map();
  const worker = new Worker(name, async (job) => {
    if (job.name === 'delayed' && Date.now() - addedAt.get(job.id) < DELAY_MS) {
      seen.delayedEarly++;
    }
    if (job.name === 'flaky' && job.attemptsMade === 0) {
      throw new Error('first attempt fails');
    }
    if (job.name === 'doomed') {
      throw new Error('always fails');
    }
    return 'ok:' + job.id;
  }, { connection, prefix, concurrency: 10 });
  worker.on('error', (e) => errors.push('worker: ' + e.message));
  worker.on('failed', () => { seen.attemptsFailed++; });

  const plain = [];
  for (let i = 0; i < PLAIN; i++) {
    plain.push({ name: 'plain', data: { i } });
  }
  for (const job of await queue.addBulk(plain)) {
    addedAt.set(job.id, Date.now());
  }
  for (let i = 0; i < DELAYED; i++) {
    const before = Date.now(); // the delay counts from the job's timestamp, taken by the client before it sends
    const job = await queue.add('delayed', { i }, { delay: DELAY_MS });
    addedAt.set(job.id, before);
  }
  for (let i = 0; i < FLAKY; i++) {
    const job = await queue.add('flaky', { i }, { attempts: 2, backoff: { type: 'fixed', delay: 100 } });
    addedAt.set(job.id, Date.now());
  }
  for (let i = 0; i < DOOMED; i++) {
    await queue.add('doomed', { i }, { attempts: 1 });
  }

  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 120000));
  const outcome = await Promise.race([allDone.then(() => 'done'), timeout]);
  // the last events may trail the last completion a little
  await new Promise((resolve) => setTimeout(resolve, 300));
  let counts;
  try {
    counts = await queue.getJobCounts('wait', 'active', 'delayed', 'completed', 'failed', 'prioritized');
  } catch (e) {
    // getCounts declares only the prefix and builds the state keys itself: a server of several shards
    // without a {hash tag} in the prefix refuses it (see the demo README); count with plain commands then
    errors.push('getJobCounts: ' + e.message);
    const Redis = require('ioredis');
    const client = new Redis(connection);
    const key = (state) => prefix + ':' + name + ':' + state;
    counts = {
      wait: await client.llen(key('wait')), active: await client.llen(key('active')), delayed: await client.zcard(key('delayed')),
      completed: await client.zcard(key('completed')), failed: await client.zcard(key('failed')),
      prioritized: await client.zcard(key('prioritized')),
    };
    client.disconnect();
  }
  await worker.close();
  await events.close();
  try {
    await queue.obliterate({ force: true });
  } catch (e) {
    errors.push('obliterate: ' + e.message);
  }
  await queue.close();

  const result = {
    bullmq: require('bullmq/package.json').version,
    server: host + ':' + port,
    prefix,
    outcome,
    jobs: PLAIN + DELAYED + FLAKY + DOOMED,
    completedJobs: done.size,
    completedEvents: seen.completed,
    failedEvents: seen.failed,
    failedAttempts: seen.attemptsFailed,
    delayedRunEarly: seen.delayedEarly,
    wrongResults: seen.wrongResult,
    counts,
    errors: errors.slice(0, 10),
    errorCount: errors.length,
    seconds: (Date.now() - started) / 1000,
  };
  console.log(JSON.stringify(result));
  const ok = outcome === 'done' && done.size === PLAIN + DELAYED + FLAKY && seen.failed === DOOMED
    && seen.attemptsFailed === FLAKY + DOOMED && seen.delayedEarly === 0 && seen.wrongResult === 0 && errors.length === 0
    && counts.completed === PLAIN + DELAYED + FLAKY && counts.failed === DOOMED;
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.log(JSON.stringify({ outcome: 'crashed', error: String(e && e.stack || e) }));
  process.exit(2);
});
