using System.Text.Json;
using System.Text.Json.Serialization;
using Durable.Fluent.Serialization;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Aot;

/// <summary>
/// Workflows built over a source-generated <see cref="JsonSerializerContext"/> (the trimming / Native AOT path): they run
/// without reflection metadata, write the same payload text as the reflection default, and a type missing from the
/// context is a typed error that names it and the fix — at Build, or at run time for values only the run can know.
/// </summary>
public class SourceGeneratedJsonTests
{
    public enum Tier
    {
        Standard,
        Gold,
    }

    public sealed record Order(string Id, decimal Amount, Tier Tier, string[] Items);

    public sealed record Charged(string OrderId, decimal Total, Tier Tier);

    public sealed record Receipt(string OrderId, string Status, int ItemCount);

    public sealed record NotInContext(string Value);

    public sealed record JobState(string JobId, int Polls);

    private static readonly Order SampleOrder = new("o-1", 42.5m, Tier.Gold, ["book", "pen"]);

    private static WorkflowBuilder<Order, Receipt> ThreeSteps() => Workflow.For<Order>()
        .Then("charge", (o, _) => new Charged(o.Id, o.Amount * 2, o.Tier))
        .Wait("settle", TimeSpan.FromSeconds(5))
        .Then("ship", (c, ctx) => new Receipt(c.OrderId, $"shipped-{c.Tier}", ctx.Input.Items.Length));

    [Test]
    public async Task A_workflow_built_over_a_context_runs_and_replays_through_the_test_runner()
    {
        var workflow = ThreeSteps().Build(SampleJson.Default);
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(workflow, SampleOrder);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded), execution.Error?.ErrorMessage);
        Assert.That(execution.Result, Is.EqualTo(new Receipt("o-1", "shipped-Gold", 2)));
        Assert.That(execution.Invocations, Is.EqualTo(2), "the wait suspended once; the second invocation replayed 'charge' from its checkpoint");
        Assert.That(execution.GetOperation("charge").StepDetails!.Result, Is.EqualTo("{\"orderId\":\"o-1\",\"total\":85.0,\"tier\":\"Gold\"}"));
    }

    [Test]
    public async Task The_context_writes_the_same_payload_text_as_the_reflection_default()
    {
        using var reflectionRunner = new DurableTestRunner();
        using var generatedRunner = new DurableTestRunner();

        var byReflection = await reflectionRunner.RunAsync(ThreeSteps().Build(), SampleOrder);
        var bySourceGen = await generatedRunner.RunAsync(ThreeSteps().Build(SampleJson.Default), SampleOrder);

        Assert.That(bySourceGen.ResultPayload, Is.EqualTo(byReflection.ResultPayload));
        Assert.That(bySourceGen.GetOperation("charge").StepDetails!.Result, Is.EqualTo(byReflection.GetOperation("charge").StepDetails!.Result));
        Assert.That(bySourceGen.Operations.Single(o => o.Type == OperationType.Execution).ExecutionDetails!.InputPayload,
            Is.EqualTo(byReflection.Operations.Single(o => o.Type == OperationType.Execution).ExecutionDetails!.InputPayload));
    }

    [Test]
    public void A_step_result_missing_from_the_context_fails_at_Build_naming_the_type_the_step_and_the_fix()
    {
        var builder = Workflow.For<Order>()
            .Then("lookup", (o, _) => new NotInContext(o.Id))
            .Then("ship", (n, _) => new Receipt(n.Value, "shipped", 0));

        var error = Assert.Throws<MissingJsonTypeInfoException>(() => builder.Build(SampleJson.Default))!;

        Assert.That(error.PayloadType, Is.EqualTo(typeof(NotInContext)));
        Assert.That(error.Message, Does.Contain("Step 'lookup'"));
        Assert.That(error.Message, Does.Contain("[JsonSerializable(typeof(Durable.Fluent.Tests.Aot.SourceGeneratedJsonTests.NotInContext))]"));
        Assert.That(error.Message, Does.Contain("Build("));
    }

    [Test]
    public void The_workflow_input_and_types_inside_children_and_branches_are_checked_too()
    {
        var input = Assert.Throws<MissingJsonTypeInfoException>(() => Workflow.For<NotInContext>().Then("echo", (n, _) => n.Value).Build(SampleJson.Default))!;
        Assert.That(input.PayloadType, Is.EqualTo(typeof(NotInContext)));
        Assert.That(input.Message, Does.Contain("the workflow input"));

        var inChild = Assert.Throws<MissingJsonTypeInfoException>(() => Workflow.For<Order>()
            .Child("phase", c => c.Then("inner", (o, _) => new NotInContext(o.Id)).Then("back", (n, _) => new Receipt(n.Value, "x", 0)))
            .Build(SampleJson.Default))!;
        Assert.That(inChild.PayloadType, Is.EqualTo(typeof(NotInContext)));
        Assert.That(inChild.Message, Does.Contain("Step 'inner'"));

        var inIf = Assert.Throws<MissingJsonTypeInfoException>(() => Workflow.For<Order>()
            .If(o => o.Amount > 10,
                then: b => b.Then("big", (o, _) => new NotInContext(o.Id)).Then("r1", (n, _) => new Receipt(n.Value, "big", 0)),
                @else: b => b.Then("small", (o, _) => new Receipt(o.Id, "small", 0)))
            .Build(SampleJson.Default))!;
        Assert.That(inIf.Message, Does.Contain("Step 'big'"));
    }

    [Test]
    public async Task A_custom_serializer_outside_the_context_runs_and_replays()
    {
        var workflow = Workflow.For<Order>()
            .Then("lookup", (o, _) => new NotInContext(o.Id), s => s.SerializeWith(new NotInContextSerDes()))
            .Wait("pause", TimeSpan.FromSeconds(1))
            .Then("ship", (n, _) => new Receipt(n.Value, "shipped", 0))
            .Build(SampleJson.Default);
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(workflow, SampleOrder);

        Assert.That(execution.Result, Is.EqualTo(new Receipt("o-1", "shipped", 0)));
        Assert.That(execution.GetOperation("lookup").StepDetails!.Result, Is.EqualTo("custom:o-1"));
    }

    [Test]
    public async Task A_value_only_the_run_knows_fails_the_operation_with_the_typed_error()
    {
        // The payload projection is declared as object: its runtime type is only known when it runs.
        var workflow = Workflow.For<Order>()
            .Invoke<Receipt>("call_billing", "billing", payload: o => new NotInContext(o.Id))
            .Build(SampleJson.Default);
        using var runner = new DurableTestRunner();
        runner.RegisterRawFunction("billing", _ => "{\"orderId\":\"o-1\",\"status\":\"billed\",\"itemCount\":1}");

        var execution = await runner.RunAsync(workflow, SampleOrder);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorType, Is.EqualTo(typeof(MissingJsonTypeInfoException).FullName));
        Assert.That(execution.Error.ErrorMessage, Does.Contain("NotInContext").And.Contain("call_billing").And.Contain("[JsonSerializable("));
    }

    [Test]
    public async Task An_object_payload_whose_runtime_type_is_in_the_context_is_written_with_its_metadata()
    {
        var workflow = Workflow.For<Order>()
            .Invoke<Receipt>("call_billing", "billing", payload: o => new Charged(o.Id, o.Amount, o.Tier))
            .Build(SampleJson.Default);
        using var runner = new DurableTestRunner();
        string? received = null;
        runner.RegisterRawFunction("billing", p =>
        {
            received = p;
            return "{\"orderId\":\"o-1\",\"status\":\"billed\",\"itemCount\":1}";
        });

        var execution = await runner.RunAsync(workflow, SampleOrder);

        Assert.That(execution.Result, Is.EqualTo(new Receipt("o-1", "billed", 1)));
        Assert.That(received, Is.EqualTo("{\"orderId\":\"o-1\",\"total\":42.5,\"tier\":\"Gold\"}"));
    }

    [Test]
    public async Task Map_and_parallel_results_with_failed_items_round_trip_without_reflection()
    {
        var workflow = Workflow.For<Order>()
            .Map("price_items", o => o.Items, item => item.Then<string>("price", (name, _) => name == "pen" ? throw new InvalidOperationException("no price for pen") : $"{name}:9", s => s.NoRetry()),
                 m => m.Completion(CompletionConfig.AllCompleted))
            .Wait("pause", TimeSpan.FromSeconds(1))
            .Select(r => new Receipt(string.Join(",", r.Results), $"{r.CompletionReason}/{r.Errors.Single().Message}", r.FailureCount))
            .Build(SampleJson.Default);
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(workflow, SampleOrder);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded), execution.Error?.ErrorMessage);
        Assert.That(execution.Result, Is.EqualTo(new Receipt("book:9", "AllCompleted/no price for pen", 1)));
        Assert.That(execution.GetOperation("price_items").ContextDetails!.Result, Does.Contain("\"ErrorMessage\":\"no price for pen\""));
    }

    [Test]
    public async Task Build_with_a_context_keeps_the_settings_of_custom_json_options()
    {
        var snake = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        var workflow = ThreeSteps().Build(SampleJson.Default, new WorkflowOptions { JsonOptions = snake });
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(workflow, SampleOrder);

        Assert.That(execution.Result, Is.EqualTo(new Receipt("o-1", "shipped-Gold", 2)));
        Assert.That(execution.GetOperation("charge").StepDetails!.Result, Does.StartWith("{\"order_id\":\"o-1\""));
        Assert.That(snake.IsReadOnly, Is.False, "the caller's options are copied, not frozen");
    }

    [Test]
    public async Task Testing_helpers_take_source_generated_metadata()
    {
        var state = Workflow.For<JobState>()
            .WaitForCondition<JobState>("poll", (s, _) => s with { Polls = s.Polls + 1 }, Durable.Fluent.Retries.WaitStrategy.Fixed<JobState>(s => true, TimeSpan.FromSeconds(1), maxAttempts: 2), new JobState("job-1", 0))
            .Build(SampleJson.Default);
        using var runner = new DurableTestRunner();
        var failed = await runner.RunAsync(state, new JobState("job-1", 0));
        Assert.That(failed.Status, Is.EqualTo(ExecutionStatus.Failed));
        var error = new WaitForConditionFailedException("poll", "id", failed.Error!, 2);
        Assert.That(error.LastState(SampleJson.Default.JobState), Is.EqualTo(new JobState("job-1", 2)));

        var callback = Workflow.For<Order>()
            .WaitForCallback<Receipt>("approval", submit: (o, id, ct) => Task.CompletedTask)
            .Build(SampleJson.Default);
        using var callbackRunner = new DurableTestRunner();
        callbackRunner.RespondToCallback("approval", CallbackResponse.SucceedWith(new Receipt("o-1", "approved", 0), SampleJson.Default.Receipt));
        Assert.That((await callbackRunner.RunAsync(callback, SampleOrder)).Result, Is.EqualTo(new Receipt("o-1", "approved", 0)));

        var invoke = Workflow.For<Order>().Invoke<Receipt>("price", "pricing").Build(SampleJson.Default);
        using var invokeRunner = new DurableTestRunner();
        invokeRunner.RegisterFunction("pricing", (Order o) => new Receipt(o.Id, "priced", o.Items.Length), SampleJson.Default.Order, SampleJson.Default.Receipt);
        Assert.That((await invokeRunner.RunAsync(invoke, SampleOrder)).Result, Is.EqualTo(new Receipt("o-1", "priced", 2)));
    }

    [Test]
    public void JsonSerDes_from_metadata_round_trips_and_options_without_the_type_name_it()
    {
        var context = new SerDesContext("1", "op", "arn");
        var serdes = new JsonSerDes<Order>(SampleJson.Default.Order);
        Assert.That(serdes.Deserialize(serdes.Serialize(SampleOrder, context), context), Is.EqualTo(SampleOrder).Using<Order>((a, b) => a.Id == b.Id && a.Amount == b.Amount && a.Items.SequenceEqual(b.Items)));

        var missing = new JsonSerDes<NotInContext>(DurableJson.CreateOptions(SampleJson.Default));
        var error = Assert.Throws<MissingJsonTypeInfoException>(() => missing.Serialize(new NotInContext("x"), context))!;
        Assert.That(error.PayloadType, Is.EqualTo(typeof(NotInContext)));
    }

    [Test]
    public void The_wire_options_serialize_the_envelope_from_source_generated_metadata()
    {
        Assert.That(WireJson.Envelope.TypeInfoResolverChain[0], Is.InstanceOf<JsonSerializerContext>());
        var info = WireJson.Envelope.GetTypeInfo(typeof(DurableExecutionInvocationInput));
        Assert.That(info.OriginatingResolver, Is.InstanceOf<JsonSerializerContext>(), "the envelope's metadata is generated, not reflected");
        Assert.That(WireJson.Rest.GetTypeInfo(typeof(HistoryEvent)).OriginatingResolver, Is.InstanceOf<JsonSerializerContext>());
    }

    private sealed class NotInContextSerDes : ISerDes<NotInContext>
    {
        public string? Serialize(NotInContext value, SerDesContext context) => "custom:" + value.Value;

        public NotInContext Deserialize(string? payload, SerDesContext context) => new(payload!["custom:".Length..]);
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, IncludeFields = true)]
[JsonSerializable(typeof(SourceGeneratedJsonTests.Order))]
[JsonSerializable(typeof(SourceGeneratedJsonTests.Charged))]
[JsonSerializable(typeof(SourceGeneratedJsonTests.Receipt))]
[JsonSerializable(typeof(SourceGeneratedJsonTests.JobState))]
[JsonSerializable(typeof(string))]
internal sealed partial class SampleJson : JsonSerializerContext;
