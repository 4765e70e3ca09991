using BestPractices;
using Durable.Fluent.Testing;

// Runs every best-practice workflow on the local test runner and prints its result.
using var runner = new DurableTestRunner();
var order = new Order("o-1", 42.5m, ["book", "lamp"]);
await Show("focused order", runner.RunAsync(FocusedOrderWorkflow.Definition, order));
await Show("non-determinism in steps", runner.RunAsync(NonDeterminismInSteps.Definition, "x"));
await Show("reusable steps", runner.RunAsync(ReusableSteps.Definition, new Dictionary<string, string> { ["name"] = "Jane", ["email"] = "j@x" }));
await Show("return values", runner.RunAsync(PassDataThroughReturnValues.Definition, "u-1"));
await Show("at-most-once charge", runner.RunAsync(ExecutionSemantics.Charge, order));
await Show("explicit errors (404)", runner.RunAsync(ExplicitErrorHandling.Definition, 404));
await Show("configured", runner.RunAsync(ConfiguredWorkflow.Definition, "EUR"));
await Show("small checkpoints", runner.RunAsync(SmallCheckpoints.Definition, "input/data.csv"));
await Show("batched items", runner.RunAsync(BatchedItems.Definition, Enumerable.Range(1, 100).ToArray()));
await Show("parallel fetch", runner.RunAsync(ParallelFetch.Definition, "u-1"));
await Show("necessary wait", runner.RunAsync(NecessaryWait.Definition, "data"));
await Show("organized", runner.RunAsync(OrganizedHandler.Definition, order));
await Show("child context", runner.RunAsync(NestedWorkInChildContext.Definition, "x"));
await Show("no mutation", runner.RunAsync(NoMutationBetweenSteps.Definition, new NoMutationBetweenSteps.Counter(0)));
await Show("custom serdes", runner.RunAsync(Serialization.CustomSerDes, order));
runner.RespondToCallback("approval", CallbackResponse.SucceedWith(new Approval(true, "jane")).After(TimeSpan.FromMinutes(2)));
await Show("approval answered", runner.RunAsync(ApprovalWorkflows.ExplicitTimeoutHandling, "expense-1"));
await Show("approval timed out", runner.RunAsync(ApprovalWorkflows.ExplicitTimeoutHandling, "expense-2"));
await Show("heartbeat timeout", runner.RunAsync(ApprovalWorkflows.LongApproval, "vacation"));

static async Task Show<T>(string label, Task<TestExecution<T>> run)
{
    var execution = await run;
    Console.WriteLine($"{label,-26} {execution.Status,-10} {execution.ResultPayload}");
}
