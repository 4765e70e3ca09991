namespace Durable.Fluent;

/// <summary>
/// The compile errors the API itself raises for mistakes the compiler would otherwise report in its own words: members marked
/// <c>[Obsolete(message, error: true)]</c> with a <c>DiagnosticId</c>, so the one error a mistake produces has our id, names the
/// fix and, when the build sets the repository address (DurableRepositoryUrl, Directory.Build.props), links to its anchor under
/// "Common mistakes" in README.md; without one there is no help link (none is guessed).
/// </summary>
internal static class AuthoringErrors
{
    /// <summary>DF0003: a builder used where a built workflow is expected.</summary>
    public const string CallBuildId = "DF0003";

    /// <summary>The help link of DF0003, or null when the build has no repository address.</summary>
    public const string? CallBuildUrl = RepositoryInfo.ReadmeUrl == "" ? null : RepositoryInfo.ReadmeUrl + "#df0003-call-build";

    /// <summary>The message of DF0003 (the compiler prints it after "'member' is obsolete:").</summary>
    public const string CallBuild =
        "this is a WorkflowBuilder, not a Workflow: call Build() to validate the graph and get the Workflow that runs, renders and nests "
        + "(Workflow.For<TIn>()....Build(), once, into a static readonly field)";

    /// <summary>DF0009: a one-parameter step body.</summary>
    public const string OneParameterStepId = "DF0009";

    /// <summary>The help link of DF0009, or null when the build has no repository address.</summary>
    public const string? OneParameterStepUrl = RepositoryInfo.ReadmeUrl == "" ? null : RepositoryInfo.ReadmeUrl + "#df0009-one-parameter-step";
}
