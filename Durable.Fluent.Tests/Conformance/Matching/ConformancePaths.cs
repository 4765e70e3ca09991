namespace Durable.Fluent.Tests.Conformance.Matching;

/// <summary>Locates the shared conformance requirement files from the test assembly.</summary>
public static class ConformancePaths
{
    /// <summary>
    /// Walks up from <see cref="TestContext.CurrentContext"/>'s TestDirectory checking
    /// <c>&lt;dir&gt;/shared/conformance</c> and <c>&lt;dir&gt;/../shared/conformance</c>; returns the first that exists.
    /// </summary>
    public static string FindConformanceRoot() => FindConformanceRoot(TestContext.CurrentContext.TestDirectory);

    /// <summary>Same as <see cref="FindConformanceRoot()"/> but starting at <paramref name="startDirectory"/>.</summary>
    public static string FindConformanceRoot(string startDirectory)
    {
        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            var here = Path.Combine(dir.FullName, "shared", "conformance");
            if (Directory.Exists(here)) return here;
            var sibling = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance"));
            if (Directory.Exists(sibling)) return sibling;
        }

        throw new DirectoryNotFoundException($"No shared/conformance directory found above {startDirectory}");
    }
}
