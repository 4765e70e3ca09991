using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Durable.Fluent.Analyzers.Tests;

/// <summary>
/// Help links resolve to something real: every diagnostic's anchor exists under "Common mistakes" in README.md, and a link is
/// either absent (the build set no repository address) or that anchor under the address — never a guessed URL.
/// </summary>
public class HelpLinkTests
{
    private static readonly DiagnosticAnalyzer[] Analyzers = [new DeterminismAnalyzer(), new TaskResultAnalyzer(), new MissingBuildAnalyzer(), new ChainRulesAnalyzer()];

    private static string Readme()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Durable.Fluent.sln")))
            {
                return File.ReadAllText(Path.Combine(dir.FullName, "README.md"));
            }
        }

        throw new InvalidOperationException("README.md not found above " + TestContext.CurrentContext.TestDirectory);
    }

    private static HashSet<string> ReadmeAnchors() => [.. Regex.Matches(Readme(), "<a id=\"([^\"]+)\"></a>").Select(m => m.Groups[1].Value)];

    [Test]
    public void Every_analyzer_rule_has_its_anchor_in_the_readme_and_its_link_is_that_anchor_or_none()
    {
        var anchors = ReadmeAnchors();
        var descriptors = Analyzers.SelectMany(a => a.SupportedDiagnostics).DistinctBy(d => d.Id).OrderBy(d => d.Id).ToList();
        Assert.That(Descriptors.HelpAnchors, Has.Count.EqualTo(descriptors.Count), "one anchor per rule");
        foreach (var (descriptor, anchor) in descriptors.Zip(Descriptors.HelpAnchors))
        {
            Assert.That(anchor, Does.StartWith(descriptor.Id.ToLowerInvariant() + "-"), descriptor.Id);
            Assert.That(anchors, Does.Contain(anchor), $"{descriptor.Id}: README.md has no <a id=\"{anchor}\">");
            Assert.That(descriptor.HelpLinkUri, Is.Empty.Or.EndWith("/README.md#" + anchor), descriptor.Id);
        }
    }

    [Test]
    public void The_compile_errors_the_api_raises_have_their_anchor_in_the_readme_and_link_to_it_or_nowhere()
    {
        var anchors = ReadmeAnchors();
        var obsolete = new[] { typeof(Workflow).Assembly, typeof(Durable.Fluent.Testing.DurableTestRunner).Assembly }
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<ObsoleteAttribute>())
            .Where(a => a is { DiagnosticId: not null } && a.DiagnosticId.StartsWith("DF", StringComparison.Ordinal))
            .ToList();
        Assert.That(obsolete.Select(a => a!.DiagnosticId).Distinct(), Is.EquivalentTo(new[] { "DF0003", "DF0009" }));
        foreach (var attribute in obsolete)
        {
            var id = attribute!.DiagnosticId!.ToLowerInvariant();
            Assert.That(anchors.Where(a => a.StartsWith(id + "-", StringComparison.Ordinal)), Has.Exactly(1).Items, id);
            if (attribute.UrlFormat is { } url)
            {
                Assert.That(anchors, Does.Contain(url[(url.IndexOf('#', StringComparison.Ordinal) + 1)..]), url);
            }
        }
    }
}
