using System.Text.Json;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>Everything the engine tells about one execution, as JSON: what a store must give back unchanged after a reload.</summary>
internal static class EngineDump
{
    /// <summary>The execution, its operations, its history and its next timer, serialized as the wire does.</summary>
    public static string Of(LocalDurableEngine engine, string arn) => JsonSerializer.Serialize(new
    {
        Execution = engine.GetExecution(arn),
        Operations = engine.GetOperations(arn),
        History = engine.GetHistory(arn),
        NextTimer = engine.NextTimerDue(arn),
    }, WireJson.Envelope);
}
