using System.Text.Json.Nodes;
using static Durable.Fluent.Tests.Conformance.Matching.TestSupport;

namespace Durable.Fluent.Tests.Conformance.Matching;

[TestFixture]
public class PlaceholderContextTests
{
    private static Dictionary<string, JsonNode?> Vars(string yaml) =>
        Yaml(yaml)!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone());

    [Test]
    public void GenStr_produces_N_chars_from_alphabet_and_is_reproducible_with_seed()
    {
        var a = new PlaceholderContext(Vars("A: ${GEN_STR:10}\nB: ${GEN_STR:3}"), new Random(42));
        var b = new PlaceholderContext(Vars("A: ${GEN_STR:10}\nB: ${GEN_STR:3}"), new Random(42));
        var valueA = a.Substitute("${A}");
        Assert.Multiple(() =>
        {
            Assert.That(valueA, Has.Length.EqualTo(10));
            Assert.That(valueA, Does.Match("^[a-z0-9]{10}$"));
            Assert.That(a.Substitute("${B}"), Does.Match("^[a-z0-9]{3}$"));
            Assert.That(b.Substitute("${A}"), Is.EqualTo(valueA));
        });
    }

    [Test]
    public void GenStr_without_seed_uses_crypto_rng()
    {
        var ctx = new PlaceholderContext(Vars("A: ${GEN_STR:12}"));
        Assert.That(ctx.Substitute("${A}"), Does.Match("^[a-z0-9]{12}$"));
    }

    [Test]
    public void Literal_variables_are_bound_as_python_str()
    {
        var ctx = new PlaceholderContext(Vars("T: True\nN: null\nI: 2\nF: 2.0\nS: hello\nQ: '5'\nR: ${OTHER}\nG: x${GEN_STR:3}"));
        Assert.Multiple(() =>
        {
            Assert.That(ctx.Substitute("${T}|${N}|${I}|${F}|${S}|${Q}"), Is.EqualTo("True|None|2|2.0|hello|5"));
            Assert.That(ctx.Substitute("${R}"), Is.EqualTo("${OTHER}"), "variables do not refer to each other");
            Assert.That(ctx.Substitute("${G}"), Is.EqualTo("x${GEN_STR:3}"), "GEN_STR only as a whole value");
            Assert.That(PythonValues.KindOf(ctx.Bindings["I"]), Is.EqualTo(PyKind.Str));
        });
    }

    [Test]
    public void Substitute_replaces_only_bound_names_inside_longer_strings()
    {
        var ctx = new PlaceholderContext(Vars("INPUT_1: abc"));
        Assert.Multiple(() =>
        {
            Assert.That(ctx.Substitute("Hello, ${INPUT_1}!"), Is.EqualTo("Hello, abc!"));
            Assert.That(ctx.Substitute("\"${INPUT_1}\""), Is.EqualTo("\"abc\""));
            Assert.That(ctx.Substitute("${UNKNOWN}-${INPUT_1}"), Is.EqualTo("${UNKNOWN}-abc"));
            Assert.That(ctx.Substitute("${1BAD}"), Is.EqualTo("${1BAD}"));
            Assert.That(ctx.Substitute("${/^[0-5]$/}"), Is.EqualTo("${/^[0-5]$/}"));
        });
    }

    [Test]
    public void Substitute_uses_str_of_auto_bound_values()
    {
        var ctx = new PlaceholderContext();
        ctx.Bind("N", JsonValue.Create(7));
        ctx.Bind("B", JsonValue.Create(true));
        ctx.Bind("Z", null);
        Assert.That(ctx.Substitute("${N} ${B} ${Z}"), Is.EqualTo("7 True None"));
    }

    [Test]
    public void SubstituteNode_recurses_into_values_not_keys()
    {
        var ctx = new PlaceholderContext(Vars("A: x\nB: y"));
        var node = Yaml("k: ['${A}', {'${B}': '${B}'}, 3, true, null]")!["k"];
        var result = ctx.SubstituteNode(node);
        Assert.That(PythonValues.PyRepr(result), Is.EqualTo("['x', {'${B}': 'y'}, 3, True, None]"));
    }

    [TestCase("${ID1}", PlaceholderForm.Name, "ID1")]
    [TestCase("${/^[0-5]$/}", PlaceholderForm.Regex, "^[0-5]$")]
    [TestCase("${A}-${B}", PlaceholderForm.Name, "A}-${B")]
    [TestCase("x${A}", PlaceholderForm.None, "")]
    [TestCase("*", PlaceholderForm.None, "")]
    public void Classify_whole_value_forms(string text, PlaceholderForm form, string inner)
    {
        var actualForm = PlaceholderContext.Classify(text, out var actualInner);
        Assert.Multiple(() =>
        {
            Assert.That(actualForm, Is.EqualTo(form));
            Assert.That(actualInner, Is.EqualTo(inner));
        });
    }

    [Test]
    public void BindOrCheck_binds_first_then_checks_with_python_equality()
    {
        var ctx = new PlaceholderContext();
        Assert.Multiple(() =>
        {
            Assert.That(ctx.BindOrCheck("ID1", JsonValue.Create("op-1")), Is.Null);
            Assert.That(ctx.BindOrCheck("ID1", JsonValue.Create("op-1")), Is.Null);
            Assert.That(ctx.BindOrCheck("ID1", JsonValue.Create("op-2")), Does.Contain("previously bound to 'op-1' but got 'op-2'"));
            Assert.That(ctx.BindOrCheck("NUM", JsonValue.Create(2)), Is.Null);
            Assert.That(ctx.BindOrCheck("NUM", JsonNode.Parse("2.0")), Is.Null);
            Assert.That(ctx.BindOrCheck("NIL", null), Is.Null);
            Assert.That(ctx.IsBound("NIL"), Is.True);
            Assert.That(ctx.BindOrCheck("NIL", JsonValue.Create("x")), Is.Not.Null);
        });
    }
}
