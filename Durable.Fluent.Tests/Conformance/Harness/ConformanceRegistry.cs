using System.Reflection;

namespace Durable.Fluent.Tests.Conformance.Harness;

/// <summary>Finds the handler of each requirement id among the static methods marked <see cref="RequirementAttribute"/>.</summary>
public static class ConformanceRegistry
{
    private static readonly Lazy<Dictionary<string, MethodInfo>> Handlers = new(Discover);
    private static readonly Lazy<Dictionary<string, string>> Gaps = new(DiscoverGaps);

    public static ConformanceCase? Find(string id)
        => Handlers.Value.TryGetValue(id, out var m) ? (ConformanceCase)m.Invoke(null, null)! : null;

    public static string? NotImplementedReason(string id) => Gaps.Value.GetValueOrDefault(id);

    public static IReadOnlyCollection<string> Ids => Handlers.Value.Keys;

    private static Dictionary<string, MethodInfo> Discover()
    {
        var map = new Dictionary<string, MethodInfo>(StringComparer.Ordinal);
        foreach (var type in typeof(ConformanceRegistry).Assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            {
                foreach (var attr in method.GetCustomAttributes<RequirementAttribute>())
                {
                    if (!map.TryAdd(attr.Id, method))
                    {
                        throw new InvalidOperationException($"Requirement {attr.Id} has two handlers: {map[attr.Id].Name} and {method.Name}.");
                    }
                }
            }
        }

        return map;
    }

    private static Dictionary<string, string> DiscoverGaps()
        => typeof(ConformanceRegistry).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<NotImplementedRequirementAttribute>())
            .ToDictionary(a => a.Id, a => a.Reason, StringComparer.Ordinal);
}
