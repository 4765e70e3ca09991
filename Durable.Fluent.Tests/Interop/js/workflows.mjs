// Durable functions written with the official JavaScript durable SDK (@aws/durable-execution-sdk-js), hosted by
// tools/js-host/host.mjs and registered with the local durable service by URL in the NUnit interop tests
// (Durable.Fluent.Tests/Interop/JsWorkflowTests.cs). Each export is one function; the host picks it by the function name
// in the invocation path (/2015-03-31/functions/{export}/invocations).
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const retryOnceASecond = (maxAttempts) => (_error, attempt) => ({ shouldRetry: attempt < maxAttempts, delay: { seconds: 1 } });

/** Two steps, the second using the first's result. */
export const steps = withDurableExecution(async (event, context) => {
  const a = await context.step("add-one", async () => event.value + 1);
  const b = await context.step("double", async () => a * 2);
  return { a, b };
});

/** A step that fails twice and succeeds on its third attempt, retried durably one second apart. */
export const retried = withDurableExecution(async (_event, context) => {
  const attempts = await context.step(
    "flaky",
    async (step) => {
      if (step.attempt < 3) throw new Error(`attempt ${step.attempt} failed`);
      return step.attempt;
    },
    { retryStrategy: retryOnceASecond(3) },
  );
  return { attempts };
});

/** A step that always fails: two attempts, then the execution fails with the step's error. */
export const exhausted = withDurableExecution(async (_event, context) => {
  await context.step(
    "always-fails",
    async (step) => {
      const error = new RangeError(`no luck on attempt ${step.attempt}`);
      throw error;
    },
    { retryStrategy: retryOnceASecond(2) },
  );
  return "unreachable";
});

/** A step, a one-second durable wait, another step. */
export const waits = withDurableExecution(async (event, context) => {
  const before = await context.step("before", async () => `${event.name}-before`);
  await context.wait("pause", { seconds: 1 });
  const after = await context.step("after", async () => `${before}-after`);
  return after;
});

/**
 * Waits for an external answer (waitForCallback). Returns what arrived: the result on success; the error's name, message,
 * type and data on failure (so a test can check what the SDK read back from the service).
 */
export const approval = withDurableExecution(async (event, context) => {
  try {
    const answer = await context.waitForCallback(
      "approval",
      async (callbackId) => {
        context.logger.info("callback submitted", { callbackId, order: event.order });
      },
      { timeout: { seconds: 60 } },
    );
    return { approved: true, answer };
  } catch (error) {
    return {
      approved: false,
      error: {
        name: error?.name,
        message: error?.message,
        causeName: error?.cause?.name,
        causeMessage: error?.cause?.message,
        data: error?.errorData,
      },
    };
  }
});

/** A map over three items, two at a time, each item one step. */
export const mapped = withDurableExecution(async (event, context) => {
  const batch = await context.map(
    "squares",
    event.items,
    async (item, value) => item.step(`square-${value}`, async () => value * value),
    { maxConcurrency: 2 },
  );
  return { results: batch.getResults(), successCount: batch.successCount, completionReason: batch.completionReason };
});

/**
 * Three parallel branches in one invocation: a slow step (3.5 s), a one-second wait followed by a step, and a step that
 * fails once and is retried after one second. The wait and the retry fall due while the slow step still runs, so the SDK
 * sees them through its polling (empty) checkpoints and finishes everything without suspending.
 */
export const fanout = withDurableExecution(async (_event, context) => {
  const batch = await context.parallel("fan-out", [
    { name: "slow", func: async (branch) => branch.step("slow-step", async () => { await sleep(3500); return "slow"; }) },
    {
      name: "paused",
      func: async (branch) => {
        await branch.wait("short-pause", { seconds: 1 });
        return branch.step("after-pause", async () => "paused");
      },
    },
    {
      name: "flaky",
      func: async (branch) =>
        branch.step(
          "flaky-step",
          async (step) => {
            if (step.attempt < 2) throw new Error("first attempt fails");
            return `flaky@${step.attempt}`;
          },
          { retryStrategy: retryOnceASecond(2) },
        ),
    },
  ]);
  return batch.getResults();
});

/** A child context grouping two steps; the parent uses its result. */
export const child = withDurableExecution(async (event, context) => {
  const total = await context.runInChildContext("pricing", async (phase) => {
    const net = await phase.step("net", async () => event.quantity * event.price);
    return phase.step("gross", async () => Math.round(net * 1.2));
  });
  return context.step("receipt", async () => ({ total }));
});

/** Calls another durable function (the `steps` export, registered with the service too) and returns its result. */
export const invoker = withDurableExecution(async (event, context) => {
  const called = await context.invoke("call-steps", "steps:$LATEST", { value: event.value });
  return { called };
});
