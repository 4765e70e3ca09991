using System.Diagnostics;
using Durable.Fluent.Diagnostics;
using Durable.Fluent.Retries;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Durable.Fluent.Tests.Diagnostics;

/// <summary>
/// Traces and metrics through the OpenTelemetry SDK's in-memory exporters, over a workflow the test runner drives through
/// three invocations: steps, a durable retry, a wait and a map.
/// </summary>
public class TelemetryTests
{
    private static Workflow<int, int> OrderLike(List<string?> currentSpans) => Workflow.For<int>()
        .Then("validate", (n, ctx) =>
        {
            currentSpans.Add(Activity.Current?.DisplayName);
            return n;
        })
        .Then("charge", (n, ctx) => ctx.Attempt == 1 ? throw new TimeoutException("gateway timed out") : n, s => s.Retry(RetryPresets.Fixed(TimeSpan.FromSeconds(1))))
        .Wait("cool_down", TimeSpan.FromSeconds(5))
        .Map("items", n => Enumerable.Range(1, n), item => item.Then("square", (v, _) => v * v), m => m.MaxConcurrency(2))
        .Select(r => r.Results.Sum())
        .Build();

    [Test]
    public async Task A_multi_invocation_execution_is_one_trace_with_one_span_per_piece_of_work()
    {
        var spans = new List<Activity>();
        var currentSpans = new List<string?>();
        TestExecution<int> execution;
        using (Sdk.CreateTracerProviderBuilder().AddSource(DurableDiagnostics.ActivitySourceName).AddInMemoryExporter(spans).Build())
        {
            using var runner = new DurableTestRunner();
            execution = await runner.RunAsync(OrderLike(currentSpans), 3);
        }

        Assert.That(execution.Result, Is.EqualTo(14));
        Assert.That(execution.Invocations, Is.EqualTo(3));
        var traceId = DurableDiagnostics.TraceIdFor(execution.DurableExecutionArn);
        var trace = spans.Where(s => s.TraceId == traceId).ToList();
        Assert.That(spans.Where(s => s.Source.Name == DurableDiagnostics.ActivitySourceName), Is.EquivalentTo(trace), "every span of the execution is in the ARN's trace");

        var invocations = trace.Where(s => s.DisplayName == DurableDiagnostics.InvocationSpanName).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.That(invocations, Has.Count.EqualTo(3));
        Assert.That(invocations.Select(s => s.ParentSpanId), Has.All.EqualTo(default(ActivitySpanId)), "invocation spans are the trace's roots");
        Assert.That(invocations.Select(s => s.GetTagItem("durable.invocation.status")), Is.EqualTo(new[] { "PENDING", "PENDING", "SUCCEEDED" }));
        Assert.That(invocations.Select(s => s.GetTagItem("durable.invocation.first")), Is.EqualTo(new object[] { true, false, false }));

        // The span tree, rendered "name <- parent name [invocation #]", in a stable order.
        var byId = trace.ToDictionary(s => s.SpanId);
        int InvocationOf(Activity s)
        {
            while (s.ParentSpanId != default)
            {
                s = byId[s.ParentSpanId];
            }

            return invocations.IndexOf(s) + 1;
        }

        var tree = trace.Where(s => s.ParentSpanId != default)
            .Select(s => $"{s.DisplayName} <- {byId[s.ParentSpanId].DisplayName} [{InvocationOf(s)}]")
            .OrderBy(l => l, StringComparer.Ordinal)
            .ToList();
        Assert.That(tree, Is.EqualTo(new[]
        {
            "Map items <- durable.invocation [3]",
            "MapIteration map-item-0 <- Map items [3]",
            "MapIteration map-item-1 <- Map items [3]",
            "MapIteration map-item-2 <- Map items [3]",
            "Step charge <- durable.invocation [1]",
            "Step charge <- durable.invocation [2]",
            "Step charge attempt 1 <- Step charge [1]",
            "Step charge attempt 2 <- Step charge [2]",
            "Step square <- MapIteration map-item-0 [3]",
            "Step square <- MapIteration map-item-1 [3]",
            "Step square <- MapIteration map-item-2 [3]",
            "Step square attempt 1 <- Step square [3]",
            "Step square attempt 1 <- Step square [3]",
            "Step square attempt 1 <- Step square [3]",
            "Step validate <- durable.invocation [1]",
            "Step validate attempt 1 <- Step validate [1]",
            "Wait cool_down <- durable.invocation [2]",
        }).AsCollection, "replayed operations (validate in invocations 2 and 3, charge and the wait in 3) produce no spans");

        var failed = trace.Single(s => s.DisplayName == "Step charge attempt 1");
        Assert.That(failed.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(failed.GetTagItem("error.type"), Is.EqualTo(typeof(TimeoutException).FullName));
        Assert.That(failed.GetTagItem("durable.retry.scheduled"), Is.EqualTo(true));
        Assert.That(failed.GetTagItem("durable.retry.delay_seconds"), Is.EqualTo(1));
        Assert.That(failed.GetTagItem("durable.attempt"), Is.EqualTo(1));
        Assert.That(failed.Events.Select(e => e.Name), Does.Contain("exception"));

        var charges = trace.Where(s => s.DisplayName == "Step charge").OrderBy(s => s.StartTimeUtc).ToList();
        Assert.That(charges[0].GetTagItem("durable.operation.status"), Is.EqualTo("PENDING"), "attempt 1 left a retry timer");
        Assert.That(charges[0].GetTagItem("durable.operation.resumed"), Is.Null);
        Assert.That(charges[1].GetTagItem("durable.operation.resumed"), Is.EqualTo(true));
        Assert.That(charges[1].GetTagItem("durable.operation.status"), Is.EqualTo("SUCCEEDED"));
        Assert.That(charges.Select(s => s.GetTagItem("durable.operation.id")).Distinct().Count(), Is.EqualTo(1));

        var wait = trace.Single(s => s.DisplayName == "Wait cool_down");
        Assert.That(wait.GetTagItem("durable.operation.status"), Is.EqualTo("STARTED"), "the timer was still running when invocation 2 suspended");
        var fired = invocations[2].Events.Single(e => e.Name == "durable.operation.ended");
        Assert.That(fired.Tags.ToDictionary(t => t.Key, t => t.Value)["durable.operation.name"], Is.EqualTo("cool_down"));

        Assert.That(trace.Where(s => s.DisplayName != "Step charge attempt 1").Select(s => s.Status), Has.All.Not.EqualTo(ActivityStatusCode.Error));
        Assert.That(trace.Where(s => s.DisplayName.StartsWith("Step ", StringComparison.Ordinal) && !s.DisplayName.Contains("attempt", StringComparison.Ordinal)).Select(s => s.GetTagItem("durable.execution.arn")), Has.All.EqualTo(execution.DurableExecutionArn));
        Assert.That(currentSpans, Is.EqualTo(new[] { "Step validate attempt 1" }), "a step body runs under its attempt span");
    }

    [Test]
    public async Task Metrics_count_invocations_suspensions_operations_attempts_retries_replay_and_checkpoints()
    {
        var exported = new List<Metric>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(DurableDiagnostics.MeterName).AddInMemoryExporter(exported).Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(OrderLike([]), 3);
        Assert.That(execution.Result, Is.EqualTo(14));

        meters.ForceFlush();
        var points = Points(exported);

        Assert.That(Sum(points, "durable.invocations"), Is.EqualTo(3));
        Assert.That(Sum(points, "durable.invocations", ("durable.invocation.status", "PENDING")), Is.EqualTo(2));
        Assert.That(Sum(points, "durable.invocations", ("durable.invocation.status", "SUCCEEDED")), Is.EqualTo(1));
        Assert.That(Sum(points, "durable.suspensions"), Is.EqualTo(2));
        Assert.That(Count(points, "durable.invocation.duration"), Is.EqualTo(3));

        // validate, charge, the wait, the map, three iterations and three squares: each counted once although replayed later.
        Assert.That(Sum(points, "durable.operations"), Is.EqualTo(10));
        Assert.That(Sum(points, "durable.operations", ("durable.operation.type", "STEP"), ("durable.operation.status", "SUCCEEDED")), Is.EqualTo(5));
        Assert.That(Sum(points, "durable.operations", ("durable.operation.type", "WAIT")), Is.EqualTo(1));
        Assert.That(Sum(points, "durable.operations", ("durable.operation.subtype", "MapIteration")), Is.EqualTo(3));
        Assert.That(Sum(points, "durable.operations.started"), Is.EqualTo(10));

        Assert.That(Sum(points, "durable.step.attempts"), Is.EqualTo(6));
        Assert.That(Sum(points, "durable.step.attempts", ("durable.attempt.outcome", "FAILED")), Is.EqualTo(1));
        Assert.That(Count(points, "durable.step.attempt.duration"), Is.EqualTo(6));
        Assert.That(Sum(points, "durable.step.retries"), Is.EqualTo(1));

        // Invocation 2 replays validate and reaches charge; invocation 3 replays validate, charge and the wait.
        Assert.That(Sum(points, "durable.replay.operations"), Is.EqualTo(5));
        Assert.That(Count(points, "durable.replay.duration"), Is.EqualTo(2));

        var requests = Sum(points, "durable.checkpoint.requests", ("durable.checkpoint.outcome", "success"));
        Assert.That(requests, Is.GreaterThanOrEqualTo(5));
        Assert.That(Sum(points, "durable.checkpoint.requests", ("durable.checkpoint.outcome", "error")), Is.Zero);
        Assert.That(Count(points, "durable.checkpoint.duration"), Is.EqualTo(requests));
        Assert.That(Sum(points, "durable.checkpoint.updates"), Is.GreaterThanOrEqualTo(20), "START and SUCCEED/RETRY of every operation");
        Assert.That(Sum(points, "durable.checkpoint.payload_bytes"), Is.GreaterThan(0));
    }

    [Test]
    public async Task Spans_and_plugins_come_from_the_same_hooks_and_an_unobserved_run_has_no_hub()
    {
        var spans = new List<Activity>();
        var wf = Workflow.For<int>().Then("double", (x, _) => x * 2).Build();
        using (Sdk.CreateTracerProviderBuilder().AddSource(DurableDiagnostics.ActivitySourceName).AddInMemoryExporter(spans).Build())
        {
            Assert.That(Instruments.IsEnabled, Is.True);
            using var runner = new DurableTestRunner();
            await runner.RunAsync(wf, 1);
        }

        Assert.That(spans.Select(s => s.DisplayName), Is.EquivalentTo(new[] { "durable.invocation", "Step double", "Step double attempt 1" }));
        Assert.That(Instruments.IsEnabled, Is.False, "no listener is left once the provider is disposed");
        var run = new Durable.Fluent.Interpretation.ExecutionRun("arn", new Dictionary<string, Operation>(), new Durable.Fluent.Checkpointing.CheckpointBatcher(new InMemoryCheckpointStore(new Durable.Fluent.Testing.Engine.LocalDurableEngine(TimeProvider.System)), "arn", "t", _ => { }), DurableRunOptions.Default, WorkflowOptions.Default, RetryPresets.None, CancellationToken.None);
        Assert.That(run.Plugins, Is.Null, "nothing observes the run: no hub, no telemetry, no records built");
    }

    [Test]
    public async Task An_execution_that_fails_marks_its_spans_with_error_status_and_type()
    {
        var spans = new List<Activity>();
        var wf = Workflow.For<int>().Then<int>("boom", (x, _) => x > 0 ? throw new InvalidOperationException("no") : x, s => s.Retry(RetryPresets.None)).Build();
        TestExecution<int> execution;
        using (Sdk.CreateTracerProviderBuilder().AddSource(DurableDiagnostics.ActivitySourceName).AddInMemoryExporter(spans).Build())
        {
            using var runner = new DurableTestRunner();
            execution = await runner.RunAsync(wf, 1);
        }

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        var step = spans.Single(s => s.DisplayName == "Step boom");
        Assert.That(step.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(step.GetTagItem("durable.operation.status"), Is.EqualTo("FAILED"));
        Assert.That(step.GetTagItem("error.type"), Is.EqualTo(typeof(InvalidOperationException).FullName));
        var attempt = spans.Single(s => s.DisplayName == "Step boom attempt 1");
        Assert.That(attempt.GetTagItem("durable.retry.scheduled"), Is.EqualTo(false));
        var invocation = spans.Single(s => s.DisplayName == DurableDiagnostics.InvocationSpanName);
        Assert.That(invocation.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(invocation.GetTagItem("durable.invocation.status"), Is.EqualTo("FAILED"));
        Assert.That(invocation.GetTagItem("error.type"), Is.Not.Null);
    }

    [Test]
    public void The_trace_id_is_a_stable_function_of_the_execution_arn()
    {
        var a = DurableDiagnostics.TraceIdFor("arn:aws:lambda:us-east-1:1:function:f:$LATEST/durable-execution/a/1");
        Assert.That(DurableDiagnostics.TraceIdFor("arn:aws:lambda:us-east-1:1:function:f:$LATEST/durable-execution/a/1"), Is.EqualTo(a));
        Assert.That(DurableDiagnostics.TraceIdFor("arn:aws:lambda:us-east-1:1:function:f:$LATEST/durable-execution/a/2"), Is.Not.EqualTo(a));
        Assert.That(a.ToHexString(), Is.EqualTo(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("arn:aws:lambda:us-east-1:1:function:f:$LATEST/durable-execution/a/1"u8))[..32].ToLowerInvariant()));
    }

    [Test]
    public async Task The_README_console_exporter_example_prints_the_spans_and_metrics()
    {
        var console = new StringWriter();
        var original = Console.Out;
        Console.SetOut(console);
        try
        {
            // The README's Observability example, with the test runner as the host.
            using var tracing = Sdk.CreateTracerProviderBuilder()
                .AddSource(DurableDiagnostics.ActivitySourceName)
                .AddConsoleExporter()
                .Build();
            using var metrics = Sdk.CreateMeterProviderBuilder()
                .AddMeter(DurableDiagnostics.MeterName)
                .AddConsoleExporter()
                .Build();
            using var runner = new DurableTestRunner();
            await runner.RunAsync(Workflow.For<int>().Then("double", (x, _) => x * 2).Build(), 21);
            tracing.ForceFlush();
            metrics.ForceFlush();
        }
        finally
        {
            Console.SetOut(original);
        }

        var text = console.ToString();
        Assert.That(text, Does.Contain("durable.invocation").And.Contain("Step double attempt 1").And.Contain("durable.operation.name: double"));
        Assert.That(text, Does.Contain("durable.invocations").And.Contain("durable.checkpoint.requests"));
    }

    [Test]
    public async Task A_plain_activity_listener_sees_a_large_child_once_and_not_its_rebuild_on_replay()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DurableDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (stopped)
                {
                    stopped.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var rebuilt = 0;
        var wf = Workflow.For<int>()
            .Child("big", c => c
                .Then("part", (_, _) => new string('p', 150_000))
#pragma warning disable DF0001 // the test counts how often the child's body runs
                .Do((_, _) => rebuilt++)
#pragma warning restore DF0001
                .Select(p => p + p))
            .Wait("pause", TimeSpan.FromSeconds(1))
            .Select(s => s.Length)
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);

        Assert.That(execution.Result, Is.EqualTo(300_000));
        Assert.That(rebuilt, Is.EqualTo(2), "the child re-ran in invocation 2 to rebuild its result");
        Assert.That(execution.GetOperation("big").ContextDetails!.ReplayChildren, Is.True);
        var spans = stopped.Where(a => a.TraceId == DurableDiagnostics.TraceIdFor(execution.DurableExecutionArn)).ToList();
        Assert.That(spans.Select(a => a.DisplayName).OrderBy(n => n, StringComparer.Ordinal), Is.EqualTo(new[]
        {
            "RunInChildContext big", "Step part", "Step part attempt 1", "Wait pause", "durable.invocation", "durable.invocation",
        }), "the rebuild is replay: no second span for the child or its step");
        Assert.That(spans.Single(a => a.DisplayName == "Step part").ParentSpanId, Is.EqualTo(spans.Single(a => a.DisplayName == "RunInChildContext big").SpanId));
    }

    [Test]
    public async Task An_invocation_that_ends_by_throwing_ends_its_spans_as_aborted()
    {
        var spans = new List<Activity>();
        var crashed = false;
        var wf = Workflow.For<int>().Then("work", (x, _) => x + 1).Build();
        using (Sdk.CreateTracerProviderBuilder().AddSource(DurableDiagnostics.ActivitySourceName).AddInMemoryExporter(spans).Build())
        {
            using var runner = new DurableTestRunner(new DurableTestRunnerOptions { CrashBeforeStep = _ => !crashed && (crashed = true) });
            var execution = await runner.RunAsync(wf, 1);
            Assert.That(execution.Result, Is.EqualTo(2));
        }

        var invocations = spans.Where(s => s.DisplayName == DurableDiagnostics.InvocationSpanName).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.That(invocations.Select(s => s.GetTagItem("durable.invocation.status")), Is.EqualTo(new[] { "ABORTED", "SUCCEEDED" }));
        Assert.That(invocations[0].Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(invocations[0].GetTagItem("error.type"), Is.EqualTo(typeof(SimulatedCrashException).FullName));
        Assert.That(spans.Count(s => s.DisplayName == "Step work"), Is.EqualTo(2), "the crashed invocation's step span ended too");
    }

    private sealed record Point(string Metric, IReadOnlyDictionary<string, object?> Tags, double Sum, long Count);

    private static List<Point> Points(List<Metric> metrics)
    {
        var points = new List<Point>();
        foreach (var metric in metrics)
        {
            foreach (ref readonly var p in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>();
                foreach (var t in p.Tags)
                {
                    tags[t.Key] = t.Value;
                }

                var histogram = metric.MetricType == MetricType.Histogram;
                var sum = histogram ? p.GetHistogramSum() : metric.MetricType == MetricType.LongSum ? p.GetSumLong() : p.GetSumDouble();
                points.Add(new Point(metric.Name, tags, sum, histogram ? p.GetHistogramCount() : 0));
            }
        }

        return points;
    }

    private static double Sum(List<Point> points, string metric, params (string Key, string Value)[] tags)
        => points.Where(p => p.Metric == metric && tags.All(t => p.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value))).Sum(p => p.Sum);

    private static long Count(List<Point> points, string metric)
        => points.Where(p => p.Metric == metric).Sum(p => p.Count);
}
