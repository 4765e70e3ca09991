using System.Text.Json.Nodes;
using static Durable.Fluent.Tests.Conformance.Matching.TestSupport;

namespace Durable.Fluent.Tests.Conformance.Matching;

[TestFixture]
public class LogMatcherTests
{
    private static List<ExpectedLogEntry> Entries(string yaml) =>
        YamlList(yaml).Select(ExpectedLogEntry.Parse).ToList();

    private static readonly List<JsonObject> Records = Events("""
        [
          {"__seq":1,"plugin":"P","hook":"invocation-start","first":true,"requestId":"r-1","operationsCount":0},
          {"__seq":2,"message":"  Greeting step running for: abc  "},
          {"__seq":3,"plugin":"P","hook":"attempt-start","n":1,"op":"op-1"},
          {"__seq":4,"plugin":"P","hook":"attempt-end","n":1,"op":"op-1","outcome":"FAILED"},
          {"__seq":4,"plugin":"P","hook":"attempt-start","n":2,"op":"op-1"},
          {"__seq":6,"plugin":"P","hook":"invocation-end","status":"SUCCEEDED","terminal":true,"ratio":"0.5"}
        ]
        """);

    private static PlaceholderContext Ctx()
    {
        var ctx = new PlaceholderContext(new Dictionary<string, JsonNode?> { ["INPUT_1"] = JsonValue.Create("abc") });
        ctx.Bind("ID1", JsonValue.Create("op-1"));
        return ctx;
    }

    private static IReadOnlyList<string> Run(string yaml) => LogMatcher.Match(Records, Entries(yaml), Ctx());

    [Test]
    public void Default_requires_at_least_one()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Run("- match: {hook: attempt-start}"), Is.Empty);
            Assert.That(Run("- match: {hook: operation-start}"), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Count_min_and_max()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Run("- match: {hook: attempt-start}\n  count: 2"), Is.Empty);
            Assert.That(Run("- match: {hook: attempt-start}\n  count: 1")[0], Does.Contain("expected count 1 but found 2"));
            Assert.That(Run("- match: {hook: nope}\n  count: 0"), Is.Empty);
            Assert.That(Run("- match: {hook: attempt-start}\n  min_count: 3"), Has.Count.EqualTo(1));
            Assert.That(Run("- match: {hook: attempt-start}\n  max_count: 1"), Has.Count.EqualTo(1));
            Assert.That(Run("- match: {hook: attempt-start}\n  min_count: 1\n  max_count: 2"), Is.Empty);
        });
    }

    [Test]
    public void Strings_are_stripped_and_slash_form_is_regex_search_with_substitution()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Run("- match: {message: 'Greeting step running for: ${INPUT_1}'}\n  count: 1"), Is.Empty);
            Assert.That(Run("- match: {message: '/running for: ${INPUT_1}/'}\n  count: 1"), Is.Empty);
            Assert.That(Run("- match: {message: '/^Greeting/'}\n  count: 1"), Is.Empty, "regex runs on the stripped text");
            Assert.That(Run("- match: {message: '/running for: xyz/'}\n  count: 0"), Is.Empty);
            Assert.That(Run("- match: {op: '${ID1}', hook: attempt-end}\n  count: 1"), Is.Empty);
            Assert.That(Run("- match: {operationsCount: '/^\\d+$/'}\n  count: 1"), Is.Empty, "regex on str(int)");
        });
    }

    [Test]
    public void Missing_field_never_matches_even_with_permissive_regex()
    {
        Assert.That(Run("- match: {hook: invocation-end, executionError: '/.*/'}\n  count: 0"), Is.Empty);
    }

    [Test]
    public void Bools_must_be_the_same_bool()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Run("- match: {hook: invocation-start, first: true}\n  count: 1"), Is.Empty);
            Assert.That(Run("- match: {hook: invocation-start, first: false}\n  count: 0"), Is.Empty);
            Assert.That(Run("- match: {n: true}\n  count: 0"), Is.Empty, "1 is not the bool True here");
        });
    }

    [Test]
    public void Numbers_compare_numerically()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Run("- match: {n: 1}\n  count: 2"), Is.Empty);
            Assert.That(Run("- match: {n: 1.0}\n  count: 2"), Is.Empty);
            Assert.That(Run("- match: {n: 2}\n  count: 1"), Is.Empty);
            Assert.That(Run("- match: {ratio: 0.5}\n  count: 1"), Is.Empty);
            Assert.That(Run("- match: {first: 1}\n  count: 0"), Is.Empty);
        });
    }

    [Test]
    public void After_anchor_passes_when_all_matches_follow_all_anchor_records()
    {
        Assert.That(Run("""
            - match: {hook: invocation-end}
              after:
                - {hook: invocation-start, first: true}
                - {message: '/${INPUT_1}/'}
            """), Is.Empty);
    }

    [Test]
    public void After_anchor_fails_when_a_match_precedes_an_anchor_record()
    {
        var errors = Run("""
            - match: {hook: invocation-start}
              after:
                - {hook: attempt-start}
            """);
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Does.Contain("is not after"));
    }

    [Test]
    public void Equal_sort_keys_are_concurrent_and_pass_either_way()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Run("- match: {hook: attempt-start, n: 2}\n  after:\n    - {hook: attempt-end, n: 1}"), Is.Empty);
            Assert.That(Run("- match: {hook: attempt-end, n: 1}\n  after:\n    - {hook: attempt-start, n: 2}"), Is.Empty);
            Assert.That(Run("- match: {hook: attempt-end, n: 1}\n  before:\n    - {hook: attempt-start, n: 2}"), Is.Empty);
            Assert.That(Run("- match: {hook: attempt-start, n: 1}\n  after:\n    - {hook: attempt-end, n: 1}"), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Before_anchor()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Run("- match: {hook: invocation-start}\n  before:\n    - {hook: invocation-end}"), Is.Empty);
            Assert.That(Run("- match: {hook: invocation-end}\n  before:\n    - {hook: invocation-start}")[0], Does.Contain("is not before"));
        });
    }

    [Test]
    public void Anchor_matching_nothing_is_an_error()
    {
        var errors = Run("- match: {hook: invocation-end}\n  after:\n    - {hook: never}");
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Does.Contain("matched no records"));
    }

    [Test]
    public void Records_are_ordered_by_seq_not_list_position()
    {
        var records = Events("""[{"__seq":5,"k":"late"},{"__seq":1,"k":"early"}]""");
        var entries = Entries("- match: {k: late}\n  after:\n    - {k: early}");
        var reversed = Entries("- match: {k: early}\n  after:\n    - {k: late}");
        Assert.Multiple(() =>
        {
            Assert.That(LogMatcher.Match(records, entries, new PlaceholderContext()), Is.Empty);
            Assert.That(LogMatcher.Match(records, reversed, new PlaceholderContext()), Has.Count.EqualTo(1));
        });
    }
}
