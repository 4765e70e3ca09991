using static Durable.Fluent.Tests.Conformance.Matching.TestSupport;

namespace Durable.Fluent.Tests.Conformance.Matching;

[TestFixture]
public class ResultMatcherTests
{
    private static ConformanceRequirement Req(string expectedResultYaml, string variables = "") =>
        WriteRequirement("step", "t-1", $"""
            description: t
            {variables}
            Input: x
            ExpectedResult:
            {expectedResultYaml}
            ExpectedExecutionHistory: []
            """, new Random(1));

    [Test]
    public void String_result_compares_against_json_decoded_actual_with_substitution()
    {
        var req = Req("  ExecutionStatus: SUCCEEDED\n  Result: Hello, ${INPUT_1}!", "Variables:\n  INPUT_1: World");
        Assert.Multiple(() =>
        {
            Assert.That(ResultMatcher.Match("\"Hello, World!\"", req, req.Context), Is.Empty);
            Assert.That(ResultMatcher.Match("\"Hello, Mars!\"", req, req.Context), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Quoted_expected_means_the_decoded_value_contains_quotes()
    {
        var req = Req("  ExecutionStatus: SUCCEEDED\n  Result: '\"HELLO\"'");
        Assert.Multiple(() =>
        {
            Assert.That(ResultMatcher.Match("\"\\\"HELLO\\\"\"", req, req.Context), Is.Empty);
            Assert.That(ResultMatcher.Match("\"HELLO\"", req, req.Context), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Non_json_actual_falls_back_to_raw_string()
    {
        var req = Req("  ExecutionStatus: SUCCEEDED\n  Result: HELLO CHILD");
        Assert.That(ResultMatcher.Match("HELLO CHILD", req, req.Context), Is.Empty);
    }

    [Test]
    public void Dict_result_ignores_key_order_and_uses_numeric_equality()
    {
        var req = Req("  ExecutionStatus: SUCCEEDED\n  Result:\n    completionReason: MIN_SUCCESSFUL_REACHED\n    successCount: 2\n    hasFailure: false");
        Assert.Multiple(() =>
        {
            Assert.That(ResultMatcher.Match("{\"hasFailure\": false, \"successCount\": 2.0, \"completionReason\": \"MIN_SUCCESSFUL_REACHED\"}", req, req.Context), Is.Empty);
            Assert.That(ResultMatcher.Match("{\"hasFailure\": false, \"successCount\": \"2\", \"completionReason\": \"MIN_SUCCESSFUL_REACHED\"}", req, req.Context), Has.Count.EqualTo(1));
            Assert.That(ResultMatcher.Match("{\"successCount\": 2, \"completionReason\": \"MIN_SUCCESSFUL_REACHED\"}", req, req.Context), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Result_null_checks_for_null_but_absent_result_checks_nothing()
    {
        var withNull = Req("  ExecutionStatus: SUCCEEDED\n  Result: null");
        var absent = Req("  ExecutionStatus: SUCCEEDED");
        Assert.Multiple(() =>
        {
            Assert.That(withNull.HasExpectedResultValue, Is.True);
            Assert.That(withNull.ExpectedResultValue, Is.Null);
            Assert.That(ResultMatcher.Match("null", withNull, withNull.Context), Is.Empty);
            Assert.That(ResultMatcher.Match(null, withNull, withNull.Context), Is.Empty);
            Assert.That(ResultMatcher.Match("\"x\"", withNull, withNull.Context), Has.Count.EqualTo(1));
            Assert.That(absent.HasExpectedResultValue, Is.False);
            Assert.That(ResultMatcher.Match("\"anything\"", absent, absent.Context), Is.Empty);
        });
    }

    [Test]
    public void MatchExecution_checks_status_first_and_result_only_on_success()
    {
        var req = Req("  ExecutionStatus: SUCCEEDED\n  Result: ok");
        var failed = Req("  ExecutionStatus: FAILED\n  Result: ok");
        Assert.Multiple(() =>
        {
            Assert.That(ResultMatcher.MatchExecution("SUCCEEDED", "\"ok\"", req, req.Context), Is.Empty);
            Assert.That(ResultMatcher.MatchExecution("FAILED", "\"nope\"", req, req.Context),
                Is.EqualTo(new[] { "ExecutionStatus mismatch: expected SUCCEEDED but got FAILED" }));
            Assert.That(ResultMatcher.MatchExecution("SUCCEEDED", "\"nope\"", req, req.Context), Has.Count.EqualTo(1));
            Assert.That(ResultMatcher.MatchExecution("FAILED", "\"nope\"", failed, failed.Context), Is.Empty);
        });
    }
}
