// Peer side of the comparison: the same workflows as bench/Durable.Fluent.Compare, run in the official JS SDK's
// local runner (@aws/durable-execution-sdk-js-testing LocalDurableTestRunner, skipTime on).
// Usage: node cases.mjs [--out results.json] [--runs N] [--slow-runs N] [--only name,name]
import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { LocalDurableTestRunner } from "@aws/durable-execution-sdk-js-testing";
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const out = opt("out", null);
const runs = Number(opt("runs", "5"));
const slowRuns = Number(opt("slow-runs", "3"));
const only = opt("only", null)?.split(",");

const sequential = (n) =>
  withDurableExecution(async (event, ctx) => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      v = await ctx.step(`step-${i}`, async () => v + 1);
    }
    return v;
  });

const waitStepPairs = (n) =>
  withDurableExecution(async (event, ctx) => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      await ctx.wait(`wait-${i}`, { seconds: 1 });
      v = await ctx.step(`step-${i}`, async () => v + 1);
    }
    return v;
  });

const map = (n, concurrency) =>
  withDurableExecution(async (event, ctx) => {
    const items = Array.from({ length: n }, (_, i) => i);
    const r = await ctx.map("items", items, async (_c, x, i) => x * 2 + i, { maxConcurrency: concurrency });
    return r.getResults().reduce((a, b) => a + b, 0);
  });

// name, handler, expected result, slow (fewer runs)
const cases = [
  ["steps-1000", sequential(1000), 1000, true],
  ["wait-step-100", waitStepPairs(100), 100, true],
  ["map-100-c10", map(100, 10), 3 * (99 * 100) / 2, false],
  ["steps-3000", sequential(3000), 3000, true],
];

await LocalDurableTestRunner.setupTestEnvironment({ skipTime: true });
const results = {};
try {
  for (const [name, handler, expected, slow] of cases) {
    if (only && !only.includes(name)) continue;
    const n = slow ? slowRuns : runs;
    const times = [];
    // The fast case gets 2 warm-up runs (not counted), like the .NET side; a slow run lasts seconds, so it warms itself.
    for (let w = 0; !slow && w < 2; w++) {
      await new LocalDurableTestRunner({ handlerFunction: handler }).run({ payload: {} });
    }
    for (let r = 0; r < n; r++) {
      const runner = new LocalDurableTestRunner({ handlerFunction: handler });
      const t0 = performance.now();
      const execution = await runner.run({ payload: {} });
      const ms = performance.now() - t0;
      const status = execution.getStatus();
      const result = execution.getResult();
      if (status !== "SUCCEEDED" || result !== expected) {
        throw new Error(`${name}: expected SUCCEEDED ${expected}, got ${status} ${JSON.stringify(result)} ${JSON.stringify(execution.getError?.())}`);
      }
      times.push(ms);
      process.stderr.write(`  js ${name} run ${r + 1}/${n}: ${ms.toFixed(1)} ms\n`);
    }
    times.sort((a, b) => a - b);
    results[name] = { runs: n, medianMs: times[Math.floor(times.length / 2)], timesMs: times };
  }
} finally {
  await LocalDurableTestRunner.teardownTestEnvironment();
}

const json = JSON.stringify({ peer: "@aws/durable-execution-sdk-js-testing@1.1.4 + @aws/durable-execution-sdk-js@2.4.0", node: process.version, results }, null, 2);
if (out) writeFileSync(out, json);
else console.log(json);
