using Durable.Fluent.Testing;
using Durable.Fluent.Tests.Conformance.Matching;

namespace Durable.Fluent.Tests.Conformance.Harness;

/// <summary>Plays a requirement's CallbackActions through the runner's callback API, on the virtual clock.</summary>
internal static class CallbackActionPlayer
{
    public static void Configure(DurableTestRunner runner, ConformanceRequirement req)
    {
        _ = runner;
        if (req.CallbackActions.Count > 0)
        {
            Assert.Ignore($"Not implemented yet: {req.Id} needs the callback driver (CallbackActions).");
        }
    }
}
