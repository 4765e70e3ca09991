using System.Reflection;

namespace Durable.Fluent.Checkpointing.Http;

/// <summary>The <c>User-Agent</c> the client sends: <c>Durable.Fluent/&lt;version&gt; (+dotnet &lt;runtime version&gt;)</c>.</summary>
internal static class UserAgentHeader
{
    // Static initializers run in textual order: LibraryVersion must stay above Value, which reads it.

    /// <summary>The library version: the assembly's informational version (it may carry <c>+&lt;commit&gt;</c>, which is valid in a product token).</summary>
    public static string LibraryVersion { get; } = ReadLibraryVersion();

    /// <summary>The header value, computed once.</summary>
    public static string Value { get; } = $"Durable.Fluent/{LibraryVersion} (+dotnet {Environment.Version})";

    private static string ReadLibraryVersion()
    {
        var assembly = typeof(UserAgentHeader).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return string.IsNullOrWhiteSpace(informational)
            ? assembly.GetName().Version?.ToString() ?? "0.0.0"
            : informational.Trim();
    }
}
