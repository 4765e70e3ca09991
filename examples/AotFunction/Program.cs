using AotFunction;
using Durable.Fluent;
using Durable.Fluent.Hosting;
using Durable.Fluent.Testing;

// The function's bootstrap. On Lambda (provided.al2023) AWS_LAMBDA_RUNTIME_API is set and the process serves invocations
// until Lambda ends it. With the Amazon.Lambda.RuntimeSupport package instead of our loop, the last line becomes (docs/deploy.md):
//   await LambdaBootstrapBuilder.Create((Stream input, ILambdaContext context) => OrderWorkflow.Definition.HandleAsync(input,
//       options with { RequestId = context.AwsRequestId, Deadline = DateTimeOffset.UtcNow + context.RemainingTime })).Build().RunAsync();
using var services = OrderWorkflow.CreateServices();
var options = new DurableRunOptions { Services = services };

if (args is ["--selftest", ..])
{
    // bench/coldstart.sh: one whole process runs the workflow through the test runner (in-memory engine) and, when a
    // Runtime API is given, serves one real invocation over HTTP (Runtime API + the durable execution checkpoint API).
    using (var runner = new DurableTestRunner(new DurableTestRunnerOptions { Services = services }))
    {
        var execution = await runner.RunAsync(OrderWorkflow.Definition, new Order("o-1", " Ada ", 42.5m, ["book", "pen"]));
        Console.WriteLine($"runner: {execution.Status} {execution.ResultPayload}");
        if (execution.Status != Durable.Fluent.Wire.ExecutionStatus.Succeeded)
        {
            return 1;
        }
    }

    if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(LambdaRuntime.RuntimeApiVariable)))
    {
        Console.WriteLine($"lambda: served {await LambdaRuntime.RunOnceAsync(OrderWorkflow.Definition, options)}");
    }

    return 0;
}

await LambdaRuntime.RunAsync(OrderWorkflow.Definition, options);
return 0;
