using System.Text.Json.Nodes;
using Durable.Fluent.Testing;
using Durable.Fluent.Tests.Conformance.Harness;
using Durable.Fluent.Tests.Conformance.Matching;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Conformance;

/// <summary>
/// One test case per requirement file of the public AWS conformance suite (../shared/conformance/&lt;group&gt;/&lt;id&gt;.yaml),
/// named by its id. Each runs the C# handler written for that id on the local runner and matches the real history, status,
/// result and logs against the file with the suite's own rules. A requirement with no handler is ignored with a reason.
/// </summary>
[TestFixture]
[Category("Conformance")]
public sealed class ConformanceTests
{
    public static IEnumerable<TestCaseData> Requirements()
    {
        var root = ConformancePaths.FindConformanceRoot();
        foreach (var file in Directory.EnumerateFiles(root, "*.yaml", SearchOption.AllDirectories).OrderBy(f => Key(Path.GetFileNameWithoutExtension(f))))
        {
            var id = Path.GetFileNameWithoutExtension(file);
            yield return new TestCaseData(file).SetName(id).SetCategory(Path.GetFileName(Path.GetDirectoryName(file)!));
        }
    }

    [TestCaseSource(nameof(Requirements))]
    public async Task Requirement(string file)
    {
        var req = ConformanceRequirement.Load(file);
        var handler = ConformanceRegistry.Find(req.Id);
        if (handler is null)
        {
            Assert.Ignore(ConformanceRegistry.NotImplementedReason(req.Id) is { } reason
                ? $"Not implemented: {reason}"
                : $"Not implemented yet: no C# handler for {req.Id} ({req.Description}).");
        }

        using var runner = new DurableTestRunner(handler.RunnerOptions);
        handler.Setup?.Invoke(runner);
        CallbackActionPlayer.Configure(runner, req);

        var inputJson = PythonJson.Dumps(req.Input);
        var execution = await handler.Start(runner, inputJson);

        var errors = new List<string>();
        var history = execution.HistoryJson();
        errors.AddRange(HistoryMatcher.Match(req.ExpectedHistory, HistoryMatcher.FillWaitForCallbackNames(history), req.Context));
        if (errors.Count == 0 && req.HasExpectedResult)
        {
            errors.AddRange(ResultMatcher.MatchExecution(UpperSnakeEnumConverter<ExecutionStatus>.ToToken(execution.Status), execution.ResultPayload, req, req.Context));
        }

        if (errors.Count == 0 && req.ExpectedLogs.Count > 0)
        {
            errors.AddRange(LogMatcher.Match(LogRecords(execution, handler), req.ExpectedLogs, req.Context));
        }

        if (errors.Count > 0)
        {
            var actual = string.Join("\n", history.Select(e => e.ToJsonString()));
            var message = $"Requirement {req.Id} ({req.Description}) failed:\n  - {string.Join("\n  - ", errors)}\nStatus: {execution.Status}, result: {execution.ResultPayload}, error: {execution.Error?.ErrorType}: {execution.Error?.ErrorMessage}\nActual history:\n{actual}";
            if (req.Optional)
            {
                Assert.Inconclusive("OPTIONAL_FAILED: " + message);
            }

            Assert.Fail(message);
        }
    }

    /// <summary>The records CloudWatch would hold: every logger line of the execution as a structured record, in order.</summary>
    private static IReadOnlyList<JsonObject> LogRecords(ITestExecution execution, ConformanceCase handler)
    {
        _ = handler;
        return execution.Logs.OrderBy(l => l.Sequence).Select(l =>
        {
            var record = l.ToJson();
            record[LogMatcher.SequenceKey] = l.Sequence;
            return record;
        }).ToList();
    }

    private static (int, int) Key(string id)
    {
        var parts = id.Split('-');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
