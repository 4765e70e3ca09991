using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Durable.Fluent.Analyzers;

/// <summary>
/// The common set-up of the Durable.Fluent analyzers: no generated code, concurrent execution, and registration only in
/// compilations that reference Durable.Fluent (with its symbols resolved once).
/// </summary>
public abstract class FluentAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (FluentSymbols.From(start.Compilation) is { } symbols)
            {
                Register(start, symbols);
            }
        });
    }

    /// <summary>Registers the analyzer's actions for a compilation that references Durable.Fluent.</summary>
    /// <param name="context">The compilation-start context.</param>
    /// <param name="symbols">The resolved Durable.Fluent symbols.</param>
    private protected abstract void Register(CompilationStartAnalysisContext context, FluentSymbols symbols);
}
