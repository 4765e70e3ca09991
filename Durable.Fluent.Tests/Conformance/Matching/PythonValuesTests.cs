using System.Text.Json.Nodes;

namespace Durable.Fluent.Tests.Conformance.Matching;

[TestFixture]
public class PythonValuesTests
{
    private static JsonNode? J(string json) => JsonNode.Parse(json);

    [TestCase("2", "2.0", true)]
    [TestCase("2", "2", true)]
    [TestCase("2", "3", false)]
    [TestCase("2.5", "2", false)]
    [TestCase("\"5\"", "5", false)]
    [TestCase("true", "1", true)]
    [TestCase("false", "0", true)]
    [TestCase("true", "1.0", true)]
    [TestCase("true", "\"True\"", false)]
    [TestCase("null", "null", true)]
    [TestCase("null", "0", false)]
    [TestCase("null", "\"None\"", false)]
    [TestCase("{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2.0],\"a\":1}", true)]
    [TestCase("{\"a\":1}", "{\"a\":1,\"b\":2}", false)]
    [TestCase("[1,2]", "[2,1]", false)]
    [TestCase("[]", "{}", false)]
    [TestCase("\"abc\"", "\"abc\"", true)]
    [TestCase("12345678901234567890123", "12345678901234567890123", true)]
    public void PyEquals_follows_Python_equality(string a, string b, bool expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(PythonValues.PyEquals(J(a), J(b)), Is.EqualTo(expected));
            Assert.That(PythonValues.PyEquals(J(b), J(a)), Is.EqualTo(expected), "symmetry");
        });
    }

    [Test]
    public void Clr_typed_values_keep_int_float_distinction()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PythonValues.KindOf(JsonValue.Create(5)), Is.EqualTo(PyKind.Int));
            Assert.That(PythonValues.KindOf(JsonValue.Create(5L)), Is.EqualTo(PyKind.Int));
            Assert.That(PythonValues.KindOf(JsonValue.Create(5.0)), Is.EqualTo(PyKind.Float));
            Assert.That(PythonValues.KindOf(JsonValue.Create(5.0m)), Is.EqualTo(PyKind.Float));
            Assert.That(PythonValues.KindOf(JsonValue.Create(5m)), Is.EqualTo(PyKind.Int));
            Assert.That(PythonValues.KindOf(J("5")), Is.EqualTo(PyKind.Int));
            Assert.That(PythonValues.KindOf(J("5.0")), Is.EqualTo(PyKind.Float));
            Assert.That(PythonValues.KindOf(J("5e0")), Is.EqualTo(PyKind.Float));
            Assert.That(PythonValues.PyEquals(JsonValue.Create(2), J("2.0")), Is.True);
        });
    }

    [TestCase("5", "5")]
    [TestCase("-3", "-3")]
    [TestCase("true", "True")]
    [TestCase("false", "False")]
    [TestCase("null", "None")]
    [TestCase("\"abc\"", "abc")]
    [TestCase("1.0", "1.0")]
    [TestCase("{\"a\":\"x\",\"b\":[true,null,1.5]}", "{'a': 'x', 'b': [True, None, 1.5]}")]
    [TestCase("[\"it's\"]", "[\"it's\"]")]
    public void PyStr_matches_Python_str(string json, string expected)
    {
        Assert.That(PythonValues.PyStr(J(json)), Is.EqualTo(expected));
    }

    [TestCase(1.0, "1.0")]
    [TestCase(0.1, "0.1")]
    [TestCase(1e16, "1e+16")]
    [TestCase(1e15, "1000000000000000.0")]
    [TestCase(123456789012345678.0, "1.2345678901234568e+17")]
    [TestCase(0.0001, "0.0001")]
    [TestCase(0.00001, "1e-05")]
    [TestCase(1.5e-7, "1.5e-07")]
    [TestCase(-2.5, "-2.5")]
    [TestCase(0.0, "0.0")]
    [TestCase(1e300, "1e+300")]
    [TestCase(3.14159, "3.14159")]
    public void FloatRepr_matches_Python_repr(double value, string expected)
    {
        Assert.That(PythonValues.FloatRepr(value), Is.EqualTo(expected));
    }

    [Test]
    public void RegexSearch_is_search_not_fullmatch_and_translates_named_groups()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PythonValues.RegexSearch("b", "abc"), Is.True);
            Assert.That(PythonValues.RegexSearch("^b", "abc"), Is.False);
            Assert.That(PythonValues.RegexSearch(@"(?P<x>a)(?P=x)", "baa"), Is.True);
            Assert.That(PythonValues.RegexSearch(@"(?P<x>a)(?P=x)", "bab"), Is.False);
        });
    }
}
