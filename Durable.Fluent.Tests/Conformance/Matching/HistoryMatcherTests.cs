using System.Text.Json.Nodes;
using static Durable.Fluent.Tests.Conformance.Matching.TestSupport;

namespace Durable.Fluent.Tests.Conformance.Matching;

[TestFixture]
public class HistoryMatcherTests
{
    private const string StepHistory = """
        - EventType: StepStarted
          SubType: Step
          EventId: 2
          Id: ${ID1}
          EventTimestamp: '*'
          StepStartedDetails: {}
        - EventType: StepSucceeded
          SubType: Step
          EventId: 3
          Id: ${ID1}
          EventTimestamp: '*'
          StepSucceededDetails:
            Result:
              Payload: '"Hello, ${INPUT_1}!"'
            RetryDetails:
              CurrentAttempt: 1
        """;

    private static List<JsonObject> StepEvents(string secondId = "abc", string payload = "\"Hello, World!\"", string attempt = "1") => Events($$$"""
        [
          {"EventType":"ExecutionStarted","EventId":1,"EventTimestamp":"t0"},
          {"EventType":"StepStarted","SubType":"Step","EventId":2,"Id":"abc","EventTimestamp":"t1","StepStartedDetails":{}},
          {"EventType":"StepSucceeded","SubType":"Step","EventId":3,"Id":"{{{secondId}}}","EventTimestamp":"t2",
           "StepSucceededDetails":{"Result":{"Payload":{{{System.Text.Json.JsonSerializer.Serialize(payload)}}}},"RetryDetails":{"CurrentAttempt":{{{attempt}}} } } },
          {"EventType":"ExecutionSucceeded","EventId":4,"EventTimestamp":"t3"}
        ]
        """);

    private static PlaceholderContext Ctx() => new(new Dictionary<string, JsonNode?> { ["INPUT_1"] = JsonValue.Create("World") });

    [Test]
    public void Matching_history_has_no_errors_and_binds_ids()
    {
        var ctx = Ctx();
        var errors = HistoryMatcher.Match(YamlList(StepHistory), StepEvents(), ctx);
        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Empty);
            Assert.That(PythonValues.PyStr(ctx.Bindings["ID1"]), Is.EqualTo("abc"));
        });
    }

    [Test]
    public void Auto_bound_id_must_stay_equal()
    {
        var errors = HistoryMatcher.Match(YamlList(StepHistory), StepEvents(secondId: "other"), Ctx());
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Does.Contain("EventId=3").And.Contain("$.Id").And.Contain("previously bound to 'abc' but got 'other'"));
    }

    [Test]
    public void Inline_placeholders_are_substituted_before_comparison()
    {
        var errors = HistoryMatcher.Match(YamlList(StepHistory), StepEvents(payload: "\"Hello, Mars!\""), Ctx());
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Does.Contain("$.StepSucceededDetails.Result.Payload"));
    }

    [Test]
    public void Int_expected_equals_float_actual_but_not_string()
    {
        Assert.Multiple(() =>
        {
            Assert.That(HistoryMatcher.Match(YamlList(StepHistory), StepEvents(attempt: "1.0"), Ctx()), Is.Empty);
            Assert.That(HistoryMatcher.Match(YamlList(StepHistory), StepEvents(attempt: "\"1\""), Ctx()), Has.Count.EqualTo(1));
            Assert.That(HistoryMatcher.Match(YamlList(StepHistory), StepEvents(attempt: "2"), Ctx())[0],
                Does.Contain("EventId=3 $.StepSucceededDetails.RetryDetails.CurrentAttempt: expected 1 but got 2"));
        });
    }

    [Test]
    public void String_payload_does_not_equal_number()
    {
        var expected = YamlList("- EventId: 2\n  Payload: '5'\n");
        Assert.Multiple(() =>
        {
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"Payload":5}]"""), new()), Has.Count.EqualTo(1));
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"Payload":"5"}]"""), new()), Is.Empty);
        });
    }

    [Test]
    public void Bool_equals_one_like_python()
    {
        var expected = YamlList("- EventId: 2\n  Truncated: true\n");
        Assert.Multiple(() =>
        {
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"Truncated":1}]"""), new()), Is.Empty);
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"Truncated":false}]"""), new()), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Missing_actual_event_is_reported()
    {
        var errors = HistoryMatcher.Match(YamlList("- EventId: 9\n  EventType: X\n"), StepEvents(), new());
        Assert.That(errors, Is.EqualTo(new[] { "No actual event found for EventId=9" }));
    }

    [Test]
    public void Expected_event_without_EventId_is_an_error()
    {
        var errors = HistoryMatcher.Match(YamlList("- EventType: StepStarted\n"), StepEvents(), new());
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Does.Contain("no EventId"));
    }

    [Test]
    public void Later_event_with_same_EventId_wins()
    {
        var expected = YamlList("- EventId: 2\n  EventType: B\n");
        Assert.Multiple(() =>
        {
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"EventType":"A"},{"EventId":2,"EventType":"B"}]"""), new()), Is.Empty);
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"EventType":"B"},{"EventId":2,"EventType":"A"}]"""), new()), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Star_and_empty_mapping_accept_anything_but_key_must_exist()
    {
        var expected = YamlList("- EventId: 2\n  EventTimestamp: '*'\n  Details: {}\n");
        Assert.Multiple(() =>
        {
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"EventTimestamp":null,"Details":"not-a-dict"}]"""), new()), Is.Empty);
            var errors = HistoryMatcher.Match(expected, Events("""[{"EventId":2}]"""), new());
            Assert.That(errors, Has.Count.EqualTo(2));
            Assert.That(errors, Has.Some.EqualTo("EventId=2 $.EventTimestamp: key missing in actual event"));
            Assert.That(errors, Has.Some.EqualTo("EventId=2 $.Details: key missing in actual event"));
        });
    }

    [Test]
    public void Whole_placeholder_requires_key_and_binds_any_type_including_null()
    {
        var expected = YamlList("- EventId: 2\n  Name: ${NAME1}\n- EventId: 3\n  Name: ${NAME1}\n");
        var ctx = new PlaceholderContext();
        Assert.Multiple(() =>
        {
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"Name":null},{"EventId":3,"Name":null}]"""), ctx), Is.Empty);
            Assert.That(ctx.IsBound("NAME1"), Is.True);
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2},{"EventId":3,"Name":"x"}]"""), new()),
                Has.Some.Contains("$.Name: key missing"));
        });
    }

    [Test]
    public void Variable_bound_placeholder_is_checked_not_rebound()
    {
        var ctx = new PlaceholderContext(new Dictionary<string, JsonNode?> { ["CB_NAME"] = JsonValue.Create("approval") });
        var expected = YamlList("- EventId: 2\n  Name: ${CB_NAME}\n");
        Assert.Multiple(() =>
        {
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"Name":"approval"}]"""), ctx), Is.Empty);
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"Name":"other"}]"""), ctx), Has.Count.EqualTo(1));
            Assert.That(PythonValues.PyStr(ctx.Bindings["CB_NAME"]), Is.EqualTo("approval"));
        });
    }

    [Test]
    public void Regex_placeholder_searches_python_str_of_actual()
    {
        var expected = YamlList("- EventId: 2\n  Delay: ${/^[0-5]$/}\n  Flag: ${/^True$/}\n  Nothing: ${/^None$/}\n");
        Assert.Multiple(() =>
        {
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"Delay":3,"Flag":true,"Nothing":null}]"""), new()), Is.Empty);
            var errors = HistoryMatcher.Match(expected, Events("""[{"EventId":2,"Delay":7,"Flag":"true","Nothing":"x"}]"""), new());
            Assert.That(errors, Has.Count.EqualTo(3));
            Assert.That(errors[0], Does.Contain("EventId=2 $.Delay").And.Contain("/^[0-5]$/"));
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"Delay":3.0,"Flag":true,"Nothing":null}]"""), new()),
                Has.Count.EqualTo(1), "3.0 is str '3.0', not '3'");
        });
    }

    [Test]
    public void Regex_placeholder_does_not_substitute_known_names()
    {
        var ctx = new PlaceholderContext(new Dictionary<string, JsonNode?> { ["X"] = JsonValue.Create("abc") });
        var expected = YamlList("- EventId: 2\n  V: ${/\\$\\{X\\}/}\n");
        Assert.Multiple(() =>
        {
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"V":"${X}"}]"""), ctx), Is.Empty);
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"V":"abc"}]"""), ctx), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Dict_match_is_subset_and_nested_path_is_reported()
    {
        var expected = YamlList("- EventId: 2\n  D:\n    Error:\n      Payload:\n        ErrorType: Runtime.ExitError\n");
        Assert.Multiple(() =>
        {
            Assert.That(HistoryMatcher.Match(expected,
                Events("""[{"EventId":2,"Extra":1,"D":{"Error":{"Payload":{"ErrorType":"Runtime.ExitError","ErrorMessage":"m"}}}}]"""), new()), Is.Empty);
            Assert.That(HistoryMatcher.Match(expected,
                Events("""[{"EventId":2,"D":{"Error":{"Payload":{"ErrorMessage":"m"}}}}]"""), new()),
                Is.EqualTo(new[] { "EventId=2 $.D.Error.Payload.ErrorType: key missing in actual event" }));
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"D":"flat"}]"""), new()), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Lists_need_equal_length_then_elementwise()
    {
        var expected = YamlList("- EventId: 2\n  L: [1, '*', '${X}']\n");
        var ctx = new PlaceholderContext();
        Assert.Multiple(() =>
        {
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"L":[1,"any",{"a":1}]}]"""), ctx), Is.Empty);
            Assert.That(PythonValues.PyRepr(ctx.Bindings["X"]), Is.EqualTo("{'a': 1}"));
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"L":[1,2]}]"""), new())[0], Does.Contain("length 3 but got 2"));
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2,"L":[2,2,2]}]"""), new())[0], Does.Contain("$.L[0]"));
        });
    }

    [Test]
    public void Extra_and_unlisted_actual_events_are_ignored()
    {
        var expected = YamlList("- EventId: 3\n  EventType: StepSucceeded\n");
        Assert.That(HistoryMatcher.Match(expected, StepEvents(), new()), Is.Empty);
    }

    [Test]
    public void EventId_lookup_uses_python_key_equality()
    {
        var expected = YamlList("- EventId: 2\n  T: a\n");
        Assert.Multiple(() =>
        {
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":2.0,"T":"a"}]"""), new()), Is.Empty);
            Assert.That(HistoryMatcher.Match(expected, Events("""[{"EventId":"2","T":"a"}]"""), new()), Has.Count.EqualTo(1));
        });
    }
}

[TestFixture]
public class FillWaitForCallbackNamesTests
{
    [Test]
    public void Copies_parent_name_only_to_unnamed_children_of_WaitForCallback()
    {
        var events = TestSupport.Events("""
            [
              {"EventId":2,"EventType":"ContextStarted","SubType":"WaitForCallback","Id":"p","Name":"approval"},
              {"EventId":3,"EventType":"CallbackStarted","Id":"c","ParentId":"p"},
              {"EventId":4,"EventType":"StepStarted","Id":"s","ParentId":"p","Name":"own"},
              {"EventId":5,"EventType":"StepSucceeded","Id":"s","ParentId":"p"},
              {"EventId":6,"EventType":"ContextStarted","SubType":"Child","Id":"q","Name":"child"},
              {"EventId":7,"EventType":"StepStarted","Id":"t","ParentId":"q"},
              {"EventId":8,"EventType":"CallbackSucceeded","Id":"c","ParentId":"p"}
            ]
            """);
        var filled = HistoryMatcher.FillWaitForCallbackNames(events);
        Assert.Multiple(() =>
        {
            Assert.That(filled[1]["Name"]?.GetValue<string>(), Is.EqualTo("approval"));
            Assert.That(filled[2]["Name"]?.GetValue<string>(), Is.EqualTo("own"));
            Assert.That(filled[3]["Name"]?.GetValue<string>(), Is.EqualTo("approval"));
            Assert.That(filled[5].ContainsKey("Name"), Is.False);
            Assert.That(filled[6].ContainsKey("Name"), Is.False);
            Assert.That(events[1].ContainsKey("Name"), Is.False, "input not mutated");
        });
    }
}
