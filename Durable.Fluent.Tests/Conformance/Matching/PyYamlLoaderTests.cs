using System.Text.Json.Nodes;
using static Durable.Fluent.Tests.Conformance.Matching.TestSupport;

namespace Durable.Fluent.Tests.Conformance.Matching;

[TestFixture]
public class PyYamlLoaderTests
{
    private static (PyKind Kind, string Repr) Scalar(string yamlValue)
    {
        var node = Yaml("v: " + yamlValue)!["v"];
        return (PythonValues.KindOf(node), PythonValues.PyRepr(node));
    }

    [TestCase("'5'", PyKind.Str, "'5'")]
    [TestCase("\"5\"", PyKind.Str, "'5'")]
    [TestCase("2", PyKind.Int, "2")]
    [TestCase("-17", PyKind.Int, "-17")]
    [TestCase("1_000", PyKind.Int, "1000")]
    [TestCase("0x1F", PyKind.Int, "31")]
    [TestCase("0b101", PyKind.Int, "5")]
    [TestCase("017", PyKind.Int, "15")]
    [TestCase("1:30", PyKind.Int, "90")]
    [TestCase("2.0", PyKind.Float, "2.0")]
    [TestCase("1.5e+3", PyKind.Float, "1500.0")]
    [TestCase("1e5", PyKind.Str, "'1e5'")]
    [TestCase(".5", PyKind.Float, "0.5")]
    [TestCase("._5", PyKind.Str, "'._5'")]
    [TestCase("1_0.0_1", PyKind.Float, "10.01")]
    [TestCase("12:30.5", PyKind.Float, "750.5")]
    [TestCase("0999", PyKind.Str, "'0999'")]
    [TestCase(".inf", PyKind.Float, "inf")]
    [TestCase("-.inf", PyKind.Float, "-inf")]
    [TestCase("true", PyKind.Bool, "True")]
    [TestCase("True", PyKind.Bool, "True")]
    [TestCase("FALSE", PyKind.Bool, "False")]
    [TestCase("yes", PyKind.Bool, "True")]
    [TestCase("No", PyKind.Bool, "False")]
    [TestCase("on", PyKind.Bool, "True")]
    [TestCase("off", PyKind.Bool, "False")]
    [TestCase("'true'", PyKind.Str, "'true'")]
    [TestCase("null", PyKind.None, "None")]
    [TestCase("~", PyKind.None, "None")]
    [TestCase("", PyKind.None, "None")]
    [TestCase("World", PyKind.Str, "'World'")]
    [TestCase("Hello, World!", PyKind.Str, "'Hello, World!'")]
    [TestCase("${INPUT_1}", PyKind.Str, "'${INPUT_1}'")]
    [TestCase("'*'", PyKind.Str, "'*'")]
    [TestCase("y", PyKind.Str, "'y'")]
    [TestCase("!!str 5", PyKind.Str, "'5'")]
    [TestCase("!!int '7'", PyKind.Int, "7")]
    public void Plain_and_quoted_scalars_are_typed_like_PyYAML(string yamlValue, PyKind kind, string repr)
    {
        var (actualKind, actualRepr) = Scalar(yamlValue);
        Assert.Multiple(() =>
        {
            Assert.That(actualKind, Is.EqualTo(kind));
            Assert.That(actualRepr, Is.EqualTo(repr));
        });
    }

    [Test]
    public void Empty_mapping_flow_list_and_block_text()
    {
        var doc = Yaml("a: {}\nb: ['${X}', 2]\nc: |\n  line1\n  line2\nd: '\"HELLO\"'\n")!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(doc["a"], Is.InstanceOf<JsonObject>());
            Assert.That(doc["a"]!.AsObject(), Is.Empty);
            Assert.That(PythonValues.PyRepr(doc["b"]), Is.EqualTo("['${X}', 2]"));
            Assert.That(PythonValues.GetStr(doc["c"]!), Is.EqualTo("line1\nline2\n"));
            Assert.That(PythonValues.GetStr(doc["d"]!), Is.EqualTo("\"HELLO\""));
        });
    }

    [Test]
    public void Literal_block_of_digits_is_a_string()
    {
        var node = Yaml("v: |-\n  5\n")!["v"];
        Assert.That(PythonValues.KindOf(node), Is.EqualTo(PyKind.Str));
    }
}
