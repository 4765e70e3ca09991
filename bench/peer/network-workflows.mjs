// The network benchmark's workflows (bench/network.sh) written with the official JS SDK (@aws/durable-execution-sdk-js,
// pinned in package.json), the same four as bench/Durable.Fluent.Network/Workflows.cs. Hosted by tools/js-host/host.mjs
// and registered with the local durable service by URL; each export is one function, picked by the function name in the
// invocation path. Every result is a number the benchmark checks.
import { StepSemantics, withDurableExecution } from "@aws/durable-execution-sdk-js";

const sequential = (n, semantics) =>
  withDurableExecution(async (_event, ctx) => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      v = await ctx.step(`step-${i}`, async () => v + 1, { semantics });
    }
    return v;
  });

/** 100 sequential at-least-once steps; the result is 100. */
export const js_seq_alo = sequential(100, StepSemantics.AtLeastOncePerRetry);

/** 100 sequential at-most-once steps; the result is 100. */
export const js_seq_amo = sequential(100, StepSemantics.AtMostOncePerRetry);

/** A map over 0..99 whose item is a step returning 2x, at concurrency 10; the result is the sum (9900). */
export const js_map_c10 = withDurableExecution(async (_event, ctx) => {
  const items = Array.from({ length: 100 }, (_, i) => i);
  const r = await ctx.map("items", items, async (c, x) => c.step("double", async () => x * 2), { maxConcurrency: 10 });
  return r.getResults().reduce((a, b) => a + b, 0);
});

/** 20 × (wait 1 s, step adding 1); the result is 20. */
export const js_wait_step = withDurableExecution(async (_event, ctx) => {
  let v = 0;
  for (let i = 0; i < 20; i++) {
    await ctx.wait(`wait-${i}`, { seconds: 1 });
    v = await ctx.step(`step-${i}`, async () => v + 1);
  }
  return v;
});
