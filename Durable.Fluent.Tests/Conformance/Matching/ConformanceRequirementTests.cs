using System.Text.Json.Nodes;
using static Durable.Fluent.Tests.Conformance.Matching.TestSupport;

namespace Durable.Fluent.Tests.Conformance.Matching;

[TestFixture]
public class ConformanceRequirementTests
{
    private static string RootDir => ConformancePaths.FindConformanceRoot();

    private static ConformanceRequirement Real(string group, string id, Random? random = null) =>
        ConformanceRequirement.Load(Path.Combine(RootDir, group, id + ".yaml"), random ?? new Random(7));

    [Test]
    public void Every_shared_requirement_file_parses_with_unique_ids()
    {
        var all = ConformanceRequirement.LoadAll(RootDir, new Random(1));
        var files = Directory.EnumerateFiles(RootDir, "*.yaml", SearchOption.AllDirectories).Count();
        Assert.Multiple(() =>
        {
            Assert.That(all, Has.Count.GreaterThanOrEqualTo(1));
            Assert.That(all, Has.Count.EqualTo(files));
            Assert.That(all.Select(r => r.Id), Is.Unique);
            foreach (var r in all)
            {
                Assert.That(r.Description, Is.Not.Null.And.Not.Empty, r.ToString());
                Assert.That(r.Handler, Is.Not.Null.And.Not.Empty, r.ToString());
                Assert.That(r.ExpectedHistory, Is.Not.Empty, r.ToString());
                Assert.That(r.ExpectedHistory.All(e => e is JsonObject o && o.ContainsKey("EventId")), Is.True, r.ToString());
                Assert.That(r.Id, Does.StartWith(GroupPrefix(r.Group)), r.ToString());
                if (r.HasExpectedResult) Assert.That(r.ExpectedStatus, Is.Not.Null, r.ToString());
                if (r.CallbackActions.Count > 0) Assert.That(r.AsyncInvoke, Is.True, r.ToString());
            }
        });
    }

    private static string GroupPrefix(string group) => group switch
    {
        "step" => "1-",
        "wait" => "2-",
        "child" => "3-",
        "callback" => "4-",
        "invoke" => "5-",
        "wait_for_condition" => "6-",
        "wait_for_callback" => "7-",
        "parallel" => "8-",
        "map" => "9-",
        "plugin" => "10-",
        _ => "?",
    };

    [Test]
    public void ConformancePaths_finds_sibling_shared_folder()
    {
        var root = Path.Combine(Path.GetTempPath(), "conf-paths-" + Guid.NewGuid().ToString("N"));
        var clone = Directory.CreateDirectory(Path.Combine(root, "clone", "bin", "Debug")).FullName;
        Directory.CreateDirectory(Path.Combine(root, "shared", "conformance"));
        try
        {
            Assert.That(ConformancePaths.FindConformanceRoot(clone), Is.EqualTo(Path.Combine(root, "shared", "conformance")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void Step_1_1_basic_fields()
    {
        var r = Real("step", "1-1");
        Assert.Multiple(() =>
        {
            Assert.That(r.Id, Is.EqualTo("1-1"));
            Assert.That(r.Group, Is.EqualTo("step"));
            Assert.That(r.AsyncInvoke, Is.False);
            Assert.That(r.Optional, Is.False);
            Assert.That(PythonValues.KindOf(r.Input), Is.EqualTo(PyKind.Str));
            Assert.That(PythonValues.GetStr(r.Input!), Is.EqualTo("World"));
            Assert.That(r.ExpectedStatus, Is.EqualTo("SUCCEEDED"));
            Assert.That(r.HasExpectedResultValue, Is.True);
            Assert.That(PythonValues.PyStr(r.ExpectedResultValue), Is.EqualTo("Hello, World!"));
            Assert.That(r.ExpectedHistory, Has.Count.EqualTo(3));
            Assert.That(PythonValues.KindOf(r.ExpectedHistory[0]!["EventId"]), Is.EqualTo(PyKind.Int));
            Assert.That(r.CallbackActions, Is.Empty);
            Assert.That(r.ExpectedLogs, Is.Empty);
        });
    }

    [Test]
    public void Step_1_13_empty_input_is_null_and_result_key_absent()
    {
        var r = Real("step", "1-13");
        Assert.Multiple(() =>
        {
            Assert.That(r.Input, Is.Null);
            Assert.That(r.HasExpectedResult, Is.True);
            Assert.That(r.HasExpectedResultValue, Is.False);
            Assert.That(PythonValues.GetStr(r.ExpectedHistory[1]!["StepFailedDetails"]!["RetryDetails"]!["NextAttemptDelaySeconds"]!),
                Is.EqualTo("${/^[0-5]$/}"));
        });
    }

    [Test]
    public void Step_1_17_generated_input_and_logs()
    {
        var r = Real("step", "1-17");
        Assert.Multiple(() =>
        {
            Assert.That(PythonValues.GetStr(r.Input!), Does.Match("^[a-z0-9]{8}$"));
            Assert.That(r.Context.Substitute("${INPUT_1}"), Is.EqualTo(PythonValues.GetStr(r.Input!)));
            Assert.That(r.ExpectedStatus, Is.EqualTo("FAILED"));
            Assert.That(r.ExpectedLogs, Has.Count.EqualTo(1));
            Assert.That(r.ExpectedLogs[0].Count, Is.EqualTo(1));
            Assert.That(PythonValues.GetStr(r.ExpectedLogs[0].Match["message"]!), Is.EqualTo("/${INPUT_1}/"));
        });
    }

    [Test]
    public void Callback_4_18_actions_and_list_input()
    {
        var r = Real("callback", "4-18");
        Assert.Multiple(() =>
        {
            Assert.That(r.AsyncInvoke, Is.True);
            Assert.That(r.Input, Is.InstanceOf<JsonArray>());
            Assert.That(PythonValues.GetStr(r.Input![0]!), Does.Match("^[a-z0-9]{10}$"));
            Assert.That(r.CallbackActions, Has.Count.EqualTo(2));
            Assert.That(r.CallbackActions[0].Operation, Is.EqualTo(CallbackOperation.Success));
            Assert.That(r.CallbackActions[0].Delay, Is.EqualTo(3.0));
            Assert.That(r.CallbackActions[1].Delay, Is.EqualTo(4.0));
            Assert.That(r.CallbackActions[0].HasPayload, Is.True);
            var nameA = PythonValues.GetStr(r.Input![0]!);
            var payloadA = r.Context.Substitute("${CB_PAYLOAD_A}");
            Assert.That(r.CallbackActions[0].MatchesName(JsonValue.Create(nameA), r.Context), Is.True);
            Assert.That(r.CallbackActions[1].MatchesName(JsonValue.Create(nameA), r.Context), Is.False);
            Assert.That(r.CallbackActions[0].SuccessResultText(r.Context), Is.EqualTo("\"" + payloadA + "\""));
        });
    }

    [Test]
    public void WaitForCallback_7_11_object_payload_dumps_with_python_separators()
    {
        var r = Real("wait_for_callback", "7-11");
        var action = r.CallbackActions.Single();
        Assert.Multiple(() =>
        {
            Assert.That(action.CallbackName, Is.EqualTo("*"));
            Assert.That(action.MatchesName(JsonValue.Create("anything"), r.Context), Is.True);
            Assert.That(action.SuccessResultText(r.Context), Is.EqualTo("{\"status\": \"approved\"}"));
            Assert.That(PythonValues.GetStr(r.ExpectedHistory[5]!["CallbackSucceededDetails"]!["Result"]!["Payload"]!),
                Is.EqualTo(action.SuccessResultText(r.Context)));
        });
    }

    [Test]
    public void Plugin_10_19_logs_parse_with_typed_values()
    {
        var r = Real("plugin", "10-19");
        Assert.Multiple(() =>
        {
            Assert.That(r.ExpectedLogs, Has.Count.EqualTo(11));
            Assert.That(PythonValues.KindOf(r.ExpectedLogs[0].Match["isFirstInvocation"]), Is.EqualTo(PyKind.Bool));
            Assert.That(r.ExpectedLogs[7].Count, Is.EqualTo(0));
            Assert.That(PythonValues.KindOf(r.ExpectedHistory[0]!["WaitStartedDetails"]!["Duration"]), Is.EqualTo(PyKind.Int));
        });
    }

    [Test]
    public void Plugin_10_7_after_anchor_parses_as_list_of_field_maps()
    {
        var r = Real("plugin", "10-7");
        var withAnchor = r.ExpectedLogs.Single(e => e.After.Count > 0);
        Assert.Multiple(() =>
        {
            Assert.That(withAnchor.After, Has.Count.EqualTo(1));
            Assert.That(PythonValues.GetStr(withAnchor.After[0]["hook"]!), Is.EqualTo("invocation-start"));
            Assert.That(withAnchor.Before, Is.Empty);
        });
    }

    [Test]
    public void Callback_actions_failure_heartbeat_and_case_insensitive_operation()
    {
        var r = WriteRequirement("callback", "4-99", """
            description: t
            handler: h
            AsyncInvoke: true
            Variables:
              CB: ${GEN_STR:5}
            Input: ${CB}
            ExpectedResult:
              ExecutionStatus: FAILED
            CallbackActions:
              - CallbackName: ${/^app/}
                Operation: HEARTBEAT
              - CallbackName: ${CB}
                Operation: Failure
                Payload:
                  ErrorType: RejectedError
                  ErrorMessage: not ${CB}
                  Other: dropped
                Delay: 1.5
              - CallbackName: x
                Operation: success
                Payload:
            ExpectedExecutionHistory:
              - EventId: 2
            """, new Random(3));
        var cb = PythonValues.GetStr(r.Input!);
        Assert.Multiple(() =>
        {
            Assert.That(r.CallbackActions[0].Operation, Is.EqualTo(CallbackOperation.Heartbeat));
            Assert.That(r.CallbackActions[0].HasPayload, Is.False);
            Assert.That(r.CallbackActions[0].MatchesName(JsonValue.Create("approval"), r.Context), Is.True);
            Assert.That(r.CallbackActions[0].MatchesName(JsonValue.Create("xapproval"), r.Context), Is.False);
            Assert.That(r.CallbackActions[1].Operation, Is.EqualTo(CallbackOperation.Failure));
            Assert.That(r.CallbackActions[1].Delay, Is.EqualTo(1.5));
            Assert.That(r.CallbackActions[1].MatchesName(JsonValue.Create(cb), r.Context), Is.True);
            Assert.That(PythonJson.Dumps(r.CallbackActions[1].FailureError(r.Context)),
                Is.EqualTo($"{{\"ErrorType\": \"RejectedError\", \"ErrorMessage\": \"not {cb}\"}}"));
            Assert.That(r.CallbackActions[2].HasPayload, Is.True);
            Assert.That(r.CallbackActions[2].Payload, Is.Null);
            Assert.That(r.CallbackActions[2].SuccessResultText(r.Context), Is.Null);
            Assert.That(r.CallbackActions[2].Delay, Is.EqualTo(0.0));
        });
    }

    [Test]
    public void Same_seed_gives_same_input_and_fresh_context_rebinds()
    {
        var a = Real("step", "1-17", new Random(99));
        var b = Real("step", "1-17", new Random(99));
        var fresh = a.CreateContext(new Random(100));
        Assert.Multiple(() =>
        {
            Assert.That(PythonValues.GetStr(a.Input!), Is.EqualTo(PythonValues.GetStr(b.Input!)));
            Assert.That(PythonValues.GetStr(a.ResolveInput(fresh)!), Is.Not.EqualTo(PythonValues.GetStr(a.Input!)));
        });
    }

    [Test]
    public void Real_history_1_1_matches_a_conforming_actual_history()
    {
        var r = Real("step", "1-1");
        var events = Events("""
            [
              {"EventType":"ExecutionStarted","EventId":1,"EventTimestamp":"t"},
              {"EventType":"StepStarted","SubType":"Step","EventId":2,"Id":"s1","EventTimestamp":"t","StepStartedDetails":{}},
              {"EventType":"StepSucceeded","SubType":"Step","EventId":3,"Id":"s1","EventTimestamp":"t","StepSucceededDetails":{"Result":{"Payload":"\"Hello, World!\""}}},
              {"EventType":"InvocationCompleted","EventId":4,"EventTimestamp":"t","InvocationCompletedDetails":{"RequestId":"r"}},
              {"EventType":"ExecutionSucceeded","EventId":5,"EventTimestamp":"t"}
            ]
            """);
        var missingDetails = events.Select(e => (JsonObject)e.DeepClone()).ToList();
        missingDetails[3].Remove("InvocationCompletedDetails");
        Assert.Multiple(() =>
        {
            Assert.That(HistoryMatcher.Match(r.ExpectedHistory, events, r.Context), Is.Empty);
            Assert.That(HistoryMatcher.Match(r.ExpectedHistory, missingDetails, r.CreateContext()),
                Is.EqualTo(new[] { "EventId=4 $.InvocationCompletedDetails: key missing in actual event" }));
        });
    }
}
