using System.Text.Json.Nodes;
using Durable.Fluent.Serialization;
using Durable.Fluent.Testing;
using Durable.Fluent.Tests.Conformance.Harness;

namespace Durable.Fluent.Tests.Conformance.Handlers;

/// <summary>
/// Handlers of the `invoke` group (5-x). The targets are registered with the runner as durable functions run as child
/// executions on the same virtual clock: <c>echo</c> waits 1 s and returns its input; <c>error</c> waits 1 s and throws.
/// </summary>
internal static class InvokeHandlers
{
    private const string EchoName = "echo:$LATEST";
    private const string ErrorName = "error:$LATEST";

    private static readonly Workflow<JsonNode?, JsonNode?> Echo = Workflow.For<JsonNode?>()
        .Wait("echo_wait", TimeSpan.FromSeconds(1))
        .Build();

    private static readonly Workflow<JsonNode?, string> Error = Workflow.For<JsonNode?>()
        .Wait("error_wait", TimeSpan.FromSeconds(1))
        .Then("fail", string (_, _) => throw new InvalidOperationException("target function error"), s => s.NoRetry())
        .Build();

    public sealed record NamedInput(string Name, string Payload);

    public sealed record TenantInput(string TenantId, string Payload);

    private static ConformanceCase WithTargets<TIn, TOut>(Workflow<TIn, TOut> workflow)
        => ConformanceCase.Of(workflow).WithSetup(r => r.RegisterFunction("echo", Echo).RegisterFunction("error", Error));

    [Requirement("5-2")]
    public static ConformanceCase NamedFromInput() => WithTargets(
        Workflow.For<NamedInput>().Invoke<JsonNode?>(OperationName.FromInput<NamedInput>(i => i.Name), EchoName, payload: i => i.Payload).Build());

    [Requirement("5-4")]
    public static ConformanceCase NullPayload() => WithTargets(
        Workflow.For<JsonNode?>().Invoke<JsonNode?>("invoke_null", EchoName, payload: _ => null).Build());

    [Requirement("5-6")]
    public static ConformanceCase FailureCaught() => WithTargets(
        Workflow.For<JsonNode?>()
            .Try(b => b.Invoke<JsonNode?>("invoke_error", ErrorName).Select(_ => "unreachable"), h => h.Catch<InvokeFailedException>((_, _) => "fallback"))
            .Build());

    [Requirement("5-7")]
    public static ConformanceCase LargePayload() => WithTargets(
        Workflow.For<JsonNode?>().Invoke<JsonNode?>("invoke_large", EchoName, payload: _ => new string('x', 200 * 1024)).Select(r => r?.GetValue<string>().Length).Build());

    [Requirement("5-8")]
    public static ConformanceCase Tenant() => WithTargets(
        Workflow.For<TenantInput>().Invoke<JsonNode?>("invoke_tenant", EchoName, payload: i => i.Payload, cfg => cfg.TenantId(i => i.TenantId)).Build());

    [Requirement("5-9")]
    public static ConformanceCase ThenWait() => WithTargets(
        Workflow.For<JsonNode?>().Invoke<JsonNode?>("invoke", EchoName, payload: _ => "cached").Wait(TimeSpan.FromSeconds(1)).Build());

    [Requirement("5-10")]
    public static ConformanceCase FailureCaughtThenWait() => WithTargets(
        Workflow.For<JsonNode?>()
            .Try(b => b.Invoke<JsonNode?>("invoke_error", ErrorName).Select(_ => "unreachable"), h => h.Catch<InvokeFailedException>((ex, _) => $"caught: {ex.Message}"))
            .Wait(TimeSpan.FromSeconds(1))
            .Build());

    [Requirement("5-11")]
    public static ConformanceCase StepThenInvoke() => WithTargets(
        Workflow.For<JsonNode?>().Then("produce", (_, _) => "step result").Invoke<string>("invoke", EchoName).Build());

    [Requirement("5-12")]
    public static ConformanceCase InvokeThenStep() => WithTargets(
        Workflow.For<JsonNode?>().Invoke<string>("invoke", EchoName, payload: _ => "from invoke").Then("use_result", (r, _) => $"processed: {r}").Build());

    [Requirement("5-13")]
    public static ConformanceCase InsideChild() => WithTargets(
        Workflow.For<JsonNode?>().Child("child", b => b.Invoke<string>("invoke", EchoName, payload: _ => "in child")).Build());

    [Requirement("5-14")]
    public static ConformanceCase TwoInvokes() => WithTargets(
        Workflow.For<JsonNode?>()
            .Invoke<string>("first", EchoName, payload: _ => "one")
            .Invoke<string>("second", EchoName, payload: first => $"{first}+two")
            .Build());

    [Requirement("5-15")]
    public static ConformanceCase CustomPayloadSerDes() => WithTargets(
        Workflow.For<JsonNode?>().Invoke<JsonNode?>("invoke", EchoName, cfg => cfg.PayloadSerDes(new UppercaseJson())).Build());

    [Requirement("5-16")]
    public static ConformanceCase CustomResultSerDes() => WithTargets(
        Workflow.For<string>().Invoke<string>("invoke", EchoName, cfg => cfg.ResultSerDes(new UppercaseRaw())).Build());

    /// <summary>Serializes to JSON, then upper-cases the text.</summary>
    private sealed class UppercaseJson : ISerDes<JsonNode?>
    {
        public string? Serialize(JsonNode? value, SerDesContext context) => (value?.ToJsonString() ?? "null").ToUpperInvariant();

        public JsonNode? Deserialize(string? payload, SerDesContext context) => payload is null ? null : JsonNode.Parse(payload);
    }

    /// <summary>Upper-cases the raw result text (quotes included).</summary>
    private sealed class UppercaseRaw : ISerDes<string>
    {
        public string? Serialize(string value, SerDesContext context) => value;

        public string Deserialize(string? payload, SerDesContext context) => (payload ?? string.Empty).ToUpperInvariant();
    }
}
