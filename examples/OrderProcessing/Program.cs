using Durable.Fluent.Testing;
using OrderProcessing;

// Runs the order workflow end to end on the local test runner (virtual clock).
using var runner = new DurableTestRunner();
var execution = await runner.RunAsync(OrderWorkflow.Definition, new OrderRequest("order-1001", "jane@example.com", 42.50m, ["book", "lamp"]));
Console.WriteLine($"Status: {execution.Status}, result: {execution.ResultPayload}, invocations: {execution.Invocations}");
foreach (var e in execution.History)
{
    Console.WriteLine($"{e.EventId,3} {e.EventType,-22} {e.Name}");
}
