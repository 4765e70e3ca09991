using System.Text.Json.Nodes;
using static Durable.Fluent.Tests.Conformance.Matching.TestSupport;

namespace Durable.Fluent.Tests.Conformance.Matching;

[TestFixture]
public class PythonJsonTests
{
    [Test]
    public void Dumps_uses_python_separators_for_yaml_mapping()
    {
        var payload = Yaml("Payload:\n  status: approved\n  n: 2\n  ok: true\n  none: null\n")!["Payload"];
        Assert.That(PythonJson.Dumps(payload), Is.EqualTo("{\"status\": \"approved\", \"n\": 2, \"ok\": true, \"none\": null}"));
    }

    [Test]
    public void Dumps_quotes_strings_and_keeps_int_float_distinction()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PythonJson.Dumps(JsonValue.Create("abc")), Is.EqualTo("\"abc\""));
            Assert.That(PythonJson.Dumps(JsonValue.Create(5)), Is.EqualTo("5"));
            Assert.That(PythonJson.Dumps(JsonValue.Create(1.0)), Is.EqualTo("1.0"));
            Assert.That(PythonJson.Dumps(JsonNode.Parse("1.0")), Is.EqualTo("1.0"));
            Assert.That(PythonJson.Dumps(JsonNode.Parse("1e2")), Is.EqualTo("100.0"));
            Assert.That(PythonJson.Dumps(null), Is.EqualTo("null"));
            Assert.That(PythonJson.Dumps(JsonNode.Parse("[1, [], {}, false]")), Is.EqualTo("[1, [], {}, false]"));
            Assert.That(PythonJson.Dumps(JsonValue.Create(double.NaN)), Is.EqualTo("NaN"));
        });
    }

    [Test]
    public void Dumps_escapes_like_ensure_ascii()
    {
        var s = "é \"q\" \\ \n\t\u0001\u007f😀/<";
        Assert.That(PythonJson.Dumps(JsonValue.Create(s)),
            Is.EqualTo("\"\\u00e9 \\\"q\\\" \\\\ \\n\\t\\u0001\\u007f\\ud83d\\ude00/<\""));
    }

    [Test]
    public void LoadsOrRaw_falls_back_to_raw_string()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PythonValues.PyRepr(PythonJson.LoadsOrRaw("\"HELLO\"")), Is.EqualTo("'HELLO'"));
            Assert.That(PythonValues.PyRepr(PythonJson.LoadsOrRaw("HELLO CHILD")), Is.EqualTo("'HELLO CHILD'"));
            Assert.That(PythonValues.PyRepr(PythonJson.LoadsOrRaw("{\"a\": 1}")), Is.EqualTo("{'a': 1}"));
            Assert.That(PythonJson.LoadsOrRaw("null"), Is.Null);
            Assert.That(PythonJson.LoadsOrRaw(null), Is.Null);
        });
    }
}
