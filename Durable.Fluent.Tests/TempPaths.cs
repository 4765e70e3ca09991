namespace Durable.Fluent.Tests;

/// <summary>Temporary paths that no other test, and no other test run on the same machine, can share.</summary>
internal static class TempPaths
{
    /// <summary>
    /// A fresh path under the system temp folder: the prefix and test id say whose it is, the random suffix keeps it apart
    /// from the same test in a concurrent run (test ids repeat from run to run, and one run's teardown must never delete
    /// another run's folder).
    /// </summary>
    public static string Unique(string prefix)
        => Path.Combine(Path.GetTempPath(), $"{prefix}-{TestContext.CurrentContext.Test.ID}-{Guid.NewGuid():N}");
}
