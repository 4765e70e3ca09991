using Durable.Fluent.Checkpointing;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Durable.Fluent.Tests.Hosting;

/// <summary>
/// Step bodies get their dependencies from the host's <see cref="IServiceProvider"/>, through one scope per invocation that
/// is disposed when the invocation ends; the invocation's request id and remaining time reach them too.
/// </summary>
public class DependencyInjectionTests
{
    public interface IPricing
    {
        decimal Price(string sku);
    }

    /// <summary>A scoped service that records its own life: which scope it belongs to and when it is disposed.</summary>
    public sealed class Ledger : IDisposable
    {
        private static int s_next;

        public int Instance { get; } = Interlocked.Increment(ref s_next);

        public bool Disposed { get; private set; }

        public List<string> Entries { get; } = [];

        public void Dispose() => Disposed = true;
    }

    public sealed class FixedPricing(decimal price) : IPricing
    {
        public decimal Price(string sku) => price;
    }

    public sealed record Line(string Sku, decimal Price, int LedgerInstance);

    // Static definition: the dependencies come from ctx.Services, never from a static holder.
    private static readonly Workflow<string, Line[]> PriceTwice = Workflow.For<string>()
        .Then("price", (sku, ctx) => Record(ctx, sku))
        .Then("price_again", (first, ctx) => new[] { first, Record(ctx, ctx.Input) })
        .Wait("settle", TimeSpan.FromSeconds(10))
        .Then("price_after_wait", (lines, ctx) => lines.Append(Record(ctx, ctx.Input)).ToArray())
        .Build();

    private static Line Record(StepContext ctx, string sku)
    {
        var ledger = ctx.Services.GetRequiredService<Ledger>();
        ledger.Entries.Add(ctx.OperationName!);
        return new Line(sku, ctx.Services.GetRequiredService<IPricing>().Price(sku), ledger.Instance);
    }

    private static (ServiceProvider Provider, List<Ledger> Ledgers) Services(decimal price)
    {
        var ledgers = new List<Ledger>();
        var provider = new ServiceCollection()
            .AddSingleton<IPricing>(new FixedPricing(price))
            .AddScoped(_ =>
            {
                var l = new Ledger();
                lock (ledgers)
                {
                    ledgers.Add(l);
                }

                return l;
            })
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        return (provider, ledgers);
    }

    [Test]
    public async Task Tests_substitute_services_and_each_invocation_gets_its_own_scope_disposed_at_its_end()
    {
        var (provider, ledgers) = Services(price: 7m);
        using var _ = provider;
        using var runner = new DurableTestRunner(new DurableTestRunnerOptions { Services = provider });

        var execution = await runner.RunAsync(PriceTwice, "sku-1");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded), execution.Error?.ErrorMessage);
        var lines = execution.Result!;
        Assert.That(lines.Select(l => l.Price), Is.EqualTo(new[] { 7m, 7m, 7m }), "the substituted pricing service was used");
        Assert.That(lines[0].LedgerInstance, Is.EqualTo(lines[1].LedgerInstance), "two steps of one invocation share its scope");
        Assert.That(lines[2].LedgerInstance, Is.Not.EqualTo(lines[0].LedgerInstance), "the invocation after the wait has a new scope");
        Assert.That(execution.Invocations, Is.EqualTo(2));
        Assert.That(ledgers, Has.Count.EqualTo(2), "one scope per invocation (the replay did not re-run the first two steps)");
        Assert.That(ledgers.All(l => l.Disposed), Is.True, "every invocation's scope is disposed when the invocation ends");
        Assert.That(ledgers[0].Entries, Is.EqualTo(new[] { "price", "price_again" }));
        Assert.That(ledgers[1].Entries, Is.EqualTo(new[] { "price_after_wait" }));
    }

    [Test]
    public async Task The_scope_is_disposed_when_the_invocation_fails()
    {
        var (provider, ledgers) = Services(price: 1m);
        using var _ = provider;
        var failing = Workflow.For<string>()
            .Then<string>("use_then_fail", (s, ctx) =>
            {
                ctx.Services.GetRequiredService<Ledger>().Entries.Add("used");
                return s.Length >= 0 ? throw new InvalidOperationException("boom") : s;
            }, step => step.NoRetry())
            .Build();
        using var runner = new DurableTestRunner(new DurableTestRunnerOptions { Services = provider });

        var execution = await runner.RunAsync(failing, "x");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(ledgers.Single().Entries, Is.EqualTo(new[] { "used" }));
        Assert.That(ledgers.Single().Disposed, Is.True);
    }

    [Test]
    public async Task The_lambda_entry_creates_and_disposes_one_scope_per_HandleAsync()
    {
        var (provider, ledgers) = Services(price: 3m);
        using var _ = provider;
        var store = new Mock<ICheckpointStore>();
        store.Setup(s => s.CheckpointAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<IReadOnlyList<OperationUpdate>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new CheckpointResult("t1", new ExecutionState { Operations = [] }));
        var once = Workflow.For<string>().Then("price", (sku, ctx) => Record(ctx, sku)).Build();
        var options = new DurableRunOptions { Services = provider };

        var first = await once.HandleAsync(Envelope("\"a\""), store.Object, options);
        var second = await once.HandleAsync(Envelope("\"b\""), store.Object, options);

        Assert.That(first.Status, Is.EqualTo(InvocationStatus.Succeeded));
        Assert.That(second.Result, Does.Contain("\"price\":3"));
        Assert.That(ledgers, Has.Count.EqualTo(2));
        Assert.That(ledgers.All(l => l.Disposed), Is.True);
    }

    [Test]
    public async Task A_provider_without_scopes_is_used_as_it_is()
    {
        var plain = new Mock<IServiceProvider>(MockBehavior.Strict);
        plain.Setup(p => p.GetService(typeof(IServiceScopeFactory))).Returns(null!);
        plain.Setup(p => p.GetService(typeof(IPricing))).Returns(new FixedPricing(5m));
        var wf = Workflow.For<string>().Then("price", (sku, ctx) => ctx.Services.GetRequiredService<IPricing>().Price(sku)).Build();
        using var runner = new DurableTestRunner(new DurableTestRunnerOptions { Services = plain.Object });

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Result, Is.EqualTo(5m));
    }

    [Test]
    public async Task Asking_for_services_without_a_provider_fails_with_a_message_naming_the_option()
    {
        var wf = Workflow.For<string>().Then("price", (sku, ctx) => ctx.Services.GetRequiredService<IPricing>().Price(sku), s => s.NoRetry()).Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorType, Is.EqualTo(typeof(InvalidOperationException).FullName));
        Assert.That(execution.Error.ErrorMessage, Does.Contain("Step 'price'").And.Contain("DurableRunOptions.Services").And.Contain("DurableTestRunnerOptions.Services"));
    }

    [Test]
    public async Task Steps_see_the_request_id_and_the_remaining_time_of_their_invocation()
    {
        var seen = new List<(string? RequestId, TimeSpan? Remaining)>();
        var wf = Workflow.For<string>()
            .Then("first", (s, ctx) => { seen.Add((ctx.Invocation.RequestId, ctx.Invocation.RemainingTime)); return s; })
            .Wait("pause", TimeSpan.FromSeconds(5))
            .Then("second", (s, ctx) => { seen.Add((ctx.Invocation.RequestId, ctx.Invocation.RemainingTime)); return s; })
            .Build();
        using var runner = new DurableTestRunner(new DurableTestRunnerOptions { InvocationTimeout = TimeSpan.FromSeconds(30) });

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        var requestIds = execution.History.Where(e => e.EventType == HistoryEventType.InvocationCompleted).Select(e => e.Details.RequestId).ToList();
        Assert.That(seen.Select(s => s.RequestId), Is.EqualTo(requestIds), "each step sees the request id of the invocation that ran it");
        Assert.That(seen.Select(s => s.Remaining), Is.EqualTo(new TimeSpan?[] { TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30) }), "the deadline is per invocation, on the virtual clock");
    }

    [Test]
    public async Task Remaining_time_counts_down_on_the_host_clock_and_is_unknown_without_a_deadline()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1));
        TimeSpan? before = null, after = null, none = TimeSpan.MaxValue;
        var wf = Workflow.For<string>().Then("measure", (s, ctx) =>
        {
            before = ctx.Invocation.RemainingTime;
            clock.Advance(TimeSpan.FromSeconds(4));
            after = ctx.Invocation.RemainingTime;
            return s;
        }).Build();
        var store = new Mock<ICheckpointStore>();
        store.Setup(s => s.CheckpointAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<IReadOnlyList<OperationUpdate>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new CheckpointResult("t1", new ExecutionState { Operations = [] }));

        await wf.HandleAsync(Envelope("\"a\""), store.Object, new DurableRunOptions { TimeProvider = clock, Deadline = clock.GetUtcNow().AddSeconds(10), RequestId = "req-1" });
        var noDeadline = Workflow.For<string>().Then("measure", (s, ctx) => { none = ctx.Invocation.RemainingTime; return s; }).Build();
        await noDeadline.HandleAsync(Envelope("\"a\""), store.Object, new DurableRunOptions());

        Assert.That(before, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(after, Is.EqualTo(TimeSpan.FromSeconds(6)));
        Assert.That(none, Is.Null);
    }

    private static DurableExecutionInvocationInput Envelope(string input) => new()
    {
        DurableExecutionArn = "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/e/abc",
        CheckpointToken = "t0",
        InitialExecutionState = new ExecutionState
        {
            Operations = [new Operation { Id = "abc", Type = OperationType.Execution, Status = OperationStatus.Started, ExecutionDetails = new ExecutionDetails { InputPayload = input } }],
        },
    };
}
