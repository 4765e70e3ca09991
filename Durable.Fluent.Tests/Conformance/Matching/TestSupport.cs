using System.Text.Json.Nodes;

namespace Durable.Fluent.Tests.Conformance.Matching;

internal static class TestSupport
{
    public static JsonNode? Yaml(string yaml) => PyYamlLoader.LoadText(yaml);

    public static JsonArray YamlList(string yaml) => (JsonArray)PyYamlLoader.LoadText(yaml)!;

    public static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    public static List<JsonObject> Events(string jsonArray) =>
        JsonNode.Parse(jsonArray)!.AsArray().Select(n => n!.AsObject()).ToList();

    public static ConformanceRequirement WriteRequirement(string group, string id, string yaml, Random? random = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "conf-matching-tests", Guid.NewGuid().ToString("N"), group);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, id + ".yaml");
        File.WriteAllText(path, yaml);
        return ConformanceRequirement.Load(path, random);
    }
}
