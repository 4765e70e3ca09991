using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Durable.Fluent.Analyzers;

/// <summary>
/// The diagnostics of the Durable.Fluent analyzers. Each help link points at the rule's anchor under "Common mistakes" in
/// README.md, under the repository address the build sets (DurableRepositoryUrl, Directory.Build.props); a build without one
/// gives no help link rather than a guessed one.
/// </summary>
internal static class Descriptors
{
    // Declared before the descriptors: their initializers add to it, in order.
    private static readonly List<string> Anchors = new();

    /// <summary>The README anchor of each descriptor's help link, in declaration order (checked against README.md by the tests).</summary>
    public static IReadOnlyList<string> HelpAnchors => Anchors;

    public static readonly DiagnosticDescriptor NonDeterministicOrchestrationCode = new(
        "DF0001",
        "Non-deterministic or side-effecting code in orchestration code",
        "{0} runs again on every replay, but '{1}' {2}. Move it into a step, .Then(\"name\", (value, ctx) => ...), and use the step's checkpointed result.",
        "Durable.Determinism",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Select, Do, If/Switch predicates, computed names, map item sources and functions, combine/onTimeout/fallback functions and wait-strategy predicates are orchestration code: they run on every replay and must only use their arguments. Step bodies are free to use the clock, random values and I/O.",
        helpLinkUri: Help("df0001-non-deterministic-orchestration-code"));

    public static readonly DiagnosticDescriptor TaskTypedResult = new(
        "DF0002",
        "A workflow value is a Task",
        "{0} makes the current value a {1}: the task object, not its result, would be passed on and checkpointed. {2}.",
        "Durable.Usage",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An asynchronous body bound to a synchronous overload (or an explicit Task type argument) makes the step's value a Task. Await the work inside an async step body.",
        helpLinkUri: Help("df0002-a-workflow-value-is-a-task"));

    public static readonly DiagnosticDescriptor MissingBuild = new(
        "DF0003",
        "A workflow builder is used where a built workflow is expected",
        "This is a WorkflowBuilder<{0}, {1}>, not a Workflow<{0}, {1}>: call Build() to validate and freeze it ({2})",
        "Durable.Usage",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A builder records a declaration; Build() validates it and returns the reusable Workflow that can be run, hosted, rendered or used as a child.",
        helpLinkUri: Help("df0003-call-build"));

    public static readonly DiagnosticDescriptor DuplicateName = new(
        "DF0004",
        "Duplicate operation name in one chain",
        "{0} reuses the name '{1}', already used on line {2} of the same chain: Build() will throw. Give each operation a distinct name.",
        "Durable.Definition",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Names identify operations in logs, histories and tests; Build() rejects two operations with the same constant name in one context.",
        helpLinkUri: Help("df0004-duplicate-operation-name"));

    public static readonly DiagnosticDescriptor DurationOutOfRange = new(
        "DF0005",
        "Constant duration out of range",
        "{0} is {1}: {2}, so Build() (or the configurator) will throw",
        "Durable.Definition",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Waits and callback timeouts are whole seconds from 1 s to 31,622,400 s (366 days); a step timeout must be more than zero.",
        helpLinkUri: Help("df0005-duration-out-of-range"));

    public static readonly DiagnosticDescriptor BatchSettingOutOfRange = new(
        "DF0006",
        "Constant batch setting out of range",
        "{0}({1}) must be at least 1: Build() will throw. {2}.",
        "Durable.Definition",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "MaxConcurrency and BatchSize of a parallel or map must be at least 1.",
        helpLinkUri: Help("df0006-batch-setting-out-of-range"));

    public static readonly DiagnosticDescriptor UnnamedLambdaStep = new(
        "DF0008",
        "A step declared with a lambda has no name",
        "This step is a lambda without a name: Build() will throw. Pass a name first, .Then(\"verb_noun\", (value, ctx) => ...), or pass a method group, whose method name becomes the step name.",
        "Durable.Definition",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Only a method group gives a step its name; a lambda needs an explicit name.",
        helpLinkUri: Help("df0008-unnamed-lambda-step"));

    private static string? Help(string anchor)
    {
        Anchors.Add(anchor);
        return RepositoryInfo.ReadmeUrl.Length == 0 ? null : RepositoryInfo.ReadmeUrl + "#" + anchor;
    }
}
