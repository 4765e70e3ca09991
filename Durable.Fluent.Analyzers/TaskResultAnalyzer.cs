using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Durable.Fluent.Analyzers;

/// <summary>
/// DF0002: a builder call that makes the current value a <c>Task</c>/<c>ValueTask</c> — typically an asynchronous body bound
/// to a synchronous overload (a <c>ValueTask</c> body, an explicit <c>Then&lt;Task&lt;T&gt;&gt;</c>, an async Select). Reported
/// once, on the call that introduces the task type, at the body it comes from.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TaskResultAnalyzer : FluentAnalyzer
{
    /// <summary>The property of a DF0002 diagnostic that tells the code fix the lambda can become an async step body.</summary>
    public const string StepBodyKey = "StepBody";

    private static readonly string[] BodyParameters = ["body", "map", "combine", "handler", "check"];

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.TaskTypedResult);

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, FluentSymbols symbols)
        => context.RegisterOperationAction(c => Analyze(c, symbols), OperationKind.Invocation);

    private static void Analyze(OperationAnalysisContext context, FluentSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!FluentSymbols.IsFluentMethod(invocation.TargetMethod) || !symbols.IsBuilder(invocation.Type))
        {
            return;
        }

        var value = FluentSymbols.CurrentValue(invocation.Type);
        if (!symbols.IsTaskLike(value) || (invocation.Instance is { } receiver && symbols.IsBuilder(receiver.Type) && symbols.IsTaskLike(FluentSymbols.CurrentValue(receiver.Type))))
        {
            return;
        }

        IArgumentOperation? body = null;
        foreach (var name in BodyParameters)
        {
            body ??= FluentSymbols.Argument(invocation, name);
        }

        var method = invocation.TargetMethod.Name;
        var isStep = method is "Then" or "Step";
        var what = isStep && FluentSymbols.ConstantName(FluentSymbols.Argument(invocation, "name")) is { } stepName ? $"Step '{stepName}'" : method;
        var fix = isStep
            ? "Make the body async and await the work: async (value, ctx, ct) => await ...Async(value, ct)"
            : $"{method} runs on every replay and cannot await; do the asynchronous work in a step, .Then(\"name\", async (value, ctx, ct) => ...)";
        var location = (body?.Value.Syntax ?? invocation.Syntax).GetLocation();
        var properties = isStep && FluentSymbols.Lambda(body) is not null
            ? ImmutableDictionary<string, string?>.Empty.Add(StepBodyKey, "true")
            : ImmutableDictionary<string, string?>.Empty;
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.TaskTypedResult, location, properties, what, value!.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), fix));
    }
}
